package mfa

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// errNoDesktop: no desktop dialog program can be used.
var errNoDesktop = errors.New("no desktop dialog")

// goos is runtime.GOOS; tests change it.
var goos = runtime.GOOS

// dialog is a desktop dialog program and how to ask it for hidden input.
type dialog struct {
	name string
	args func(title, text string) []string
}

var (
	zenity = dialog{"zenity", func(title, text string) []string {
		return []string{"--entry", "--hide-text", "--title", title, "--text", text}
	}}
	kdialog = dialog{"kdialog", func(title, text string) []string {
		return []string{"--title", title, "--password", text}
	}}
	osascript = dialog{"osascript", func(title, text string) []string {
		return []string{"-e", "text returned of (display dialog " + appleScriptString(text) +
			" default answer \"\" with hidden answer with title " + appleScriptString(title) + ")"}
	}}
)

// pickDialog chooses the dialog program: osascript on macOS; zenity, then
// kdialog when a graphical session is present ($DISPLAY or
// $WAYLAND_DISPLAY) elsewhere.
func pickDialog(lookPath func(string) (string, error)) (dialog, string, bool) {
	var candidates []dialog
	switch {
	case goos == "darwin":
		candidates = []dialog{osascript}
	case goos != "windows" && (os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""):
		candidates = []dialog{zenity, kdialog}
	}
	for _, d := range candidates {
		if p, err := lookPath(d.name); err == nil {
			return d, p, true
		}
	}
	return dialog{}, "", false
}

// desktopPrompt asks for the code in a dialog with hidden input, again
// after an invalid code (MaxPromptAttempts in all). Cancel => ErrCanceled.
func desktopPrompt(ctx context.Context, lookPath func(string) (string, error), req Request) (string, error) {
	d, path, ok := pickDialog(lookPath)
	if !ok {
		return "", errNoDesktop
	}
	var lastErr error
	for attempt := 0; attempt < MaxPromptAttempts; attempt++ {
		text := promptText(req.Serial)
		if line := reasonLine(req); line != "" {
			text = line + "\n" + text
		}
		if lastErr != nil {
			text = lastErr.Error() + "; try again.\n" + text
		}
		cmd := exec.CommandContext(ctx, path, d.args("awsmfa", strings.TrimSuffix(text, " "))...)
		var out, errOut capWriter
		cmd.Stdout = &out
		cmd.Stderr = &errOut
		err := cmd.Run()
		if ctx.Err() != nil {
			return "", fmt.Errorf("MFA code dialog: %w", ctx.Err())
		}
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) && ee.ExitCode() == 1 {
				// zenity, kdialog and osascript all exit 1 on Cancel.
				return "", fmt.Errorf("%w in the %s dialog", ErrCanceled, d.name)
			}
			msg := fmt.Sprintf("the %s dialog failed (%s)", d.name, exitDescription(err))
			if line := firstLine(errOut.String()); line != "" {
				msg += ": " + line
			}
			return "", errors.New(msg)
		}
		code, verr := normalize(strings.TrimRight(out.String(), "\r\n"))
		if verr == nil {
			return code, nil
		}
		lastErr = verr
	}
	return "", fmt.Errorf("no valid MFA code after %d attempts: %w", MaxPromptAttempts, lastErr)
}

// appleScriptString quotes s as an AppleScript string literal.
func appleScriptString(s string) string {
	var b bytes.Buffer
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
