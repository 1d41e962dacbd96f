// `cross-model-results`: the command is CrossModelResults (ToolOptions/Tools/CrossModelResults.swift).
import ToolOptions

ToolMain.run(CrossModelResults.self)
