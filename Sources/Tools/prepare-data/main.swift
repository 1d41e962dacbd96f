// `prepare-data`: the command is PrepareData (ToolOptions/Tools/PrepareData.swift).
import ToolOptions

ToolMain.run(PrepareData.self)
