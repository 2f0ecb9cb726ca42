package lab

import (
	"errors"
	"os"
	"path/filepath"
)

// DefaultAddr is where `awsmfa lab serve` listens without --addr.
const DefaultAddr = "127.0.0.1:4580"

// DefaultStatePath is the lab's state file without --state:
// $XDG_STATE_HOME/awsmfa/lab.sqlite, else ~/.local/state/awsmfa/lab.sqlite.
func DefaultStatePath() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "awsmfa", "lab.sqlite"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "", errors.New("lab: cannot locate the home directory for the default state file; use --state or --ephemeral")
	}
	return filepath.Join(home, ".local", "state", "awsmfa", "lab.sqlite"), nil
}
