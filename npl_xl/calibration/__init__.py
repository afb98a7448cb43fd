"""Calibration of the rating's assumptions on the public market dataset."""
