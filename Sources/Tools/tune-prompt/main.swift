// `tune-prompt`: the command is TunePrompt (ToolOptions/Tools/TunePrompt.swift).
import ToolOptions

ToolMain.run(TunePrompt.self)
