"""Server-rendered portals: public (公众端), enterprise (企业端), government (政府端)."""
