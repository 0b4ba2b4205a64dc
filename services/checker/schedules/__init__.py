"""Scheduled inspections (定期检查): a supervising office sets up a quarterly or monthly round once; the
checker worker's cron creates and starts the inspection of each period (see service.due_periods)."""
