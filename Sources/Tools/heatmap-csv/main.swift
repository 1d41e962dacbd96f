// `heatmap-csv`: the command is HeatmapCSV (ToolOptions/Tools/HeatmapCSV.swift).
import ToolOptions

ToolMain.run(HeatmapCSV.self)
