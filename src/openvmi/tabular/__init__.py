"""Reading uploaded tables (CSV, XLSX) row by row, never whole; nothing here knows what the rows mean."""
