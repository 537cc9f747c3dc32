"""`run_routines`: the background worker the desktop shell supervises."""
