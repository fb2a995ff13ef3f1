"""PDF documents drawn with reportlab: :mod:`.document` is the base (A4 page template, styles,
tables, atomic write) every clustbudget PDF is built on."""
