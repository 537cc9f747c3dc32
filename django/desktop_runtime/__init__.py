"""The desktop runtime: everything the shell-to-Django contract needs.

Host and token middleware, the health, splash and bootstrap views, the
per-user secret key, the stdin lifetime rule and the `desktop_serve` command.
Copy this app into an existing Django project to make it desktop-ready.
"""
