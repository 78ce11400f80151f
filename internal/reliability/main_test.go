package reliability

import (
	"os"
	"testing"
)

// TestMain removes the kansrijk binary the harnesses built.
func TestMain(m *testing.M) {
	code := m.Run()
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
	os.Exit(code)
}
