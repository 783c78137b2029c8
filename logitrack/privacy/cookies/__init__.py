"""Cookie choices (privacy policy §8): the registry of every cookie Logitrack sets, the visitor's
choice per category, the banner and the cookie page (docs/adr/0035)."""
