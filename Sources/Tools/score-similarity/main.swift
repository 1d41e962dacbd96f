// `score-similarity`: the command is ScoreSimilarity (ToolOptions/Tools/ScoreSimilarity.swift).
import ToolOptions

ToolMain.run(ScoreSimilarity.self)
