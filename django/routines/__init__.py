"""Stable Routines: an optional demo of a background worker beside the web process.

Remove "routines" from INSTALLED_APPS and its page, link and worker go away.
"""
