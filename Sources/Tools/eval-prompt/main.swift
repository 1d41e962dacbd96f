// `eval-prompt`: the command is EvalPrompt (ToolOptions/Tools/EvalPrompt.swift).
import ToolOptions

ToolMain.run(EvalPrompt.self)
