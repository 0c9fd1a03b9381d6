"""Sunshine Kitchen (明厨亮灶) camera analysis: detectors, model store, motion, health, privacy.

Everything here may import numpy, OpenCV and ONNX Runtime; the ``sunshine.kitchen`` domain
package must not, so the web processes never load them. See docs/design/sunshine-kitchen.md.
"""
