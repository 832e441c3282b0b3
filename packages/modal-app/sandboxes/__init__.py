"""Nightshift's Modal app: the sandbox API the control plane calls over HTTPS (see README.md)."""
