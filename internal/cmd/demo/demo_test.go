package demo

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

func TestDemoCommand(t *testing.T) {
	for _, c := range []struct {
		args []string
		want func(t *testing.T, out, errOut string)
	}{
		{nil, func(t *testing.T, out, errOut string) {
			if !strings.Contains(out, "All 9 steps behaved as the seeds describe") || errOut != "" {
				t.Errorf("stdout:\n%s\nstderr:\n%s", out, errOut)
			}
		}},
		{[]string{"--output", "json"}, func(t *testing.T, out, errOut string) {
			var r struct {
				OK    bool              `json:"ok"`
				Steps []json.RawMessage `json:"steps"`
			}
			if err := json.Unmarshal([]byte(out), &r); err != nil || !r.OK || len(r.Steps) != 9 {
				t.Errorf("json output %v:\n%s", err, out)
			}
		}},
		{[]string{"--lab-log"}, func(t *testing.T, out, errOut string) {
			if strings.Count(errOut, "msg=request") != 9 {
				t.Errorf("stderr should hold 9 lab log lines:\n%s", errOut)
			}
		}},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			ios, _, out, errOut := iostreams.Test()
			cmd := NewCmdDemo(ios, nil)
			cmd.SetArgs(c.args)
			cmd.SetOut(out)
			cmd.SetErr(errOut)
			if err := cmd.Execute(); err != nil {
				t.Fatalf("demo %v: %v", c.args, err)
			}
			c.want(t, out.String(), errOut.String())
		})
	}
}

func TestDemoFlags(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	var got *Options
	cmd := NewCmdDemo(ios, func(o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"-o", "json", "--lab-log"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Output != "json" || !got.LabLog {
		t.Errorf("options %+v", got)
	}
	cmd = NewCmdDemo(ios, func(o *Options) error { return nil })
	cmd.SetArgs([]string{"-o", "yaml"})
	if err := cmd.Execute(); cmdutil.ExitCode(err) != cmdutil.ExitError {
		t.Errorf("bad --output: %v", err)
	}
	cmd = NewCmdDemo(ios, func(o *Options) error { return nil })
	cmd.SetArgs([]string{"extra"})
	if err := cmd.Execute(); err == nil {
		t.Error("extra argument accepted")
	}
}
