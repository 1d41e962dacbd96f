// `score-rankings`: the command is ScoreRankings (ToolOptions/Tools/ScoreRankings.swift).
import ToolOptions

ToolMain.run(ScoreRankings.self)
