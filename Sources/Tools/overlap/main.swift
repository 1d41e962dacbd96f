// `overlap`: the command is Overlap (ToolOptions/Tools/Overlap.swift).
import ToolOptions

ToolMain.run(Overlap.self)
