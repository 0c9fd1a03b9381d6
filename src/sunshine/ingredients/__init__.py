"""Sunshine Ingredients (阳光食材): the product library (产品库), each caterer's suppliers and
the purchase ledger (进货查验记录). EPCIS events, trace and recall build on it elsewhere."""
