"""Training the FastestDet-layout detectors (smoking); needs the optional [train] extra."""
