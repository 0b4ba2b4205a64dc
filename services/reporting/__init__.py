"""Reporting service: notices (通报) assembled from completed inspections, rendered to docx/xlsx/pdf and
stored versioned in S3; pass-rate statistics for the dashboard."""
