package cmdutil

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/awsmfa/awsmfa/internal/iostreams"
)

// maxAnswer bounds the answer read by Confirm.
const maxAnswer = 256

// Confirm asks question on the terminal (standard error) and returns nil
// when the answer is y or yes. Without a terminal on standard input it
// refuses with a usage error telling to pass --yes; any other answer
// exits 1, saying that nothing changed.
func Confirm(ios *iostreams.IOStreams, question string) error {
	if !ios.IsStdinTTY() {
		return UsageError("not asking without a terminal: pass --yes to %s", strings.ToLower(question[:1])+strings.TrimSuffix(question[1:], "?"))
	}
	fmt.Fprintf(ios.ErrOut, "%s [y/N] ", question)
	line, err := bufio.NewReaderSize(ios.In, maxAnswer).ReadSlice('\n')
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return &ExitCodeError{Code: ExitError, Err: fmt.Errorf("reading the answer: %w", err)}
	}
	if a := strings.ToLower(strings.TrimSpace(string(line))); a != "y" && a != "yes" {
		return &ExitCodeError{Code: ExitFindings, Err: errors.New("not confirmed: nothing changed")}
	}
	return nil
}
