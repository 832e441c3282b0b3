// Applies a stored colour scheme before the first paint, so dark mode never flashes white. A file,
// not an inline script, so the Content-Security-Policy can forbid inline scripts outright.
try {
  const t = localStorage.getItem("nightshift.theme");
  if (t === "dark" || t === "light") document.documentElement.setAttribute("data-theme", t);
} catch {}
