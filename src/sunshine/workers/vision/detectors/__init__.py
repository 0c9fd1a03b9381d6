"""Detectors, one class per runtime and output decoder (see ``base.Detector``).

- ``fastestdet``: ONNX Runtime, FastestDet layout (COCO person/phone, smoking, bureau models)
- ``darknet_yolo``: OpenCV DNN, Darknet YOLO (Yolo-Fastest body)
- ``ssd_mask``: OpenCV DNN, the AIZOO face-mask SSD (Caffe)

They are built by ``sunshine.workers.vision.models_store.ModelStore.detector``.
"""
