"""My Ponies: the example app, a small CRUD over one model. Replace it with your own."""
