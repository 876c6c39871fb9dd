"""The big-data analytics centre (大数据分析中心): indicators, rollups, red flags, exports."""
