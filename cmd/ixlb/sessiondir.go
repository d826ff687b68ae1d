//go:build cgo

package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/ixlb/ixlb/scenarios"
)

// defaultDataDir is the console's per-scenario directory under the user's state directory:
// $XDG_STATE_HOME/ixlb/NAME-DIGEST, falling back to ~/.local/state/ixlb/NAME-DIGEST. NAME is the
// scenario's name, readable; DIGEST is a short hash of where the scenario comes from (the file's
// absolute path, or bundled:NAME), so two files with one `name:`, or two names that only differ
// in characters a file name cannot hold, never share a session.
func defaultDataDir(sc *scenarios.Scenario) (string, error) {
	base := os.Getenv("XDG_STATE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no state directory: %w (use --data)", err)
		}
		base = filepath.Join(home, ".local", "state")
	}
	name := sc.Config.Name
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(sc.File), filepath.Ext(sc.File))
	}
	return filepath.Join(base, "ixlb", sessionDirName(name, scenarioOrigin(sc.File))), nil
}

// scenarioOrigin is what identifies where a scenario was read from: the absolute path of a file,
// or bundled:NAME.yaml for a bundled scenario.
func scenarioOrigin(file string) string {
	if strings.HasPrefix(file, scenarios.BundledPrefix) {
		return file
	}
	if st, err := os.Stat(file); err != nil || !st.Mode().IsRegular() {
		// Not a file here: a bundled scenario named without its prefix (the console's :load).
		return scenarios.BundledPrefix + strings.TrimSuffix(file, ".yaml") + ".yaml"
	}
	if name, ok := bundledCopy(file); ok {
		// A bundled scenario opened by its file (the repository's scenarios/NAME.yaml, or a copy
		// not yet edited) is that scenario: one session, whichever way it was opened.
		return scenarios.BundledPrefix + name + ".yaml"
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return file
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	return abs
}

// bundledCopy reports whether the file holds a bundled scenario byte for byte, and which.
func bundledCopy(file string) (string, bool) {
	st, err := os.Stat(file)
	if err != nil || st.Size() > scenarios.MaxFileSize {
		return "", false
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return "", false
	}
	for _, b := range scenarios.Bundled() {
		if src, err := scenarios.Source(b.Name); err == nil && bytes.Equal(src, data) {
			return b.Name, true
		}
	}
	return "", false
}

// sessionDirName is NAME-DIGEST: the name kept readable (letters and digits of any script, '-',
// '_', '.'; anything else '_'; at most 40 characters) and 10 hex digits of the origin's SHA-256.
func sessionDirName(name, origin string) string {
	var b strings.Builder
	n := 0
	for _, r := range name {
		if n == 40 {
			break
		}
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		n++
	}
	readable := strings.TrimLeft(b.String(), ".")
	if readable == "" {
		readable = "scenario"
	}
	sum := sha256.Sum256([]byte(origin))
	return readable + "-" + hex.EncodeToString(sum[:])[:10]
}
