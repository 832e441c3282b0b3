/**
 * Builds the dashboard into dist/, which the control-plane Worker serves as static assets
 * (SPA fallback; /api, /auth, /webhooks and /sandbox stay with the Worker). `vite` alone serves
 * it in development and proxies the Worker's paths to `wrangler dev` (NIGHTSHIFT_API, default :8787).
 */
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const api = process.env.NIGHTSHIFT_API ?? "http://127.0.0.1:8787";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Source maps stay out of the deployed assets; the bundle budget is measured on what ships.
    sourcemap: false,
    target: "es2022",
  },
  server: {
    proxy: {
      "/api": { target: api, ws: true, changeOrigin: false },
      "/auth": { target: api },
    },
  },
});
