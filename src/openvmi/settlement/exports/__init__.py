"""Statement exports: a PDF to print and sign (CJK font embedded), XLSX, and a CSV of lines for the buyer's ERP."""
