package cli

import (
	"io"
	"log/slog"
	"strings"
)

// Logger returns the process logger: text for people by default, JSON
// when KANSRIJK_LOG_FORMAT=json; level from KANSRIJK_LOG_LEVEL (debug,
// info, warn, error; default info).
func Logger(w io.Writer, getenv func(string) string) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(strings.ToUpper(getenv("KANSRIJK_LOG_LEVEL")))); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if getenv("KANSRIJK_LOG_FORMAT") == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
