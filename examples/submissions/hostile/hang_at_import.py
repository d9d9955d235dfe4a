"""Hostile: loading the file never finishes."""
import time

while True:
    time.sleep(0.01)
