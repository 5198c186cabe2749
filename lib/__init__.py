"""Framework-level helpers with no domain knowledge: security headers, e-mail delivery, health checks."""
