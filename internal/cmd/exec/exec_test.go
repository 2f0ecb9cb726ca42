package exec

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/broker/brokertest"
	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/credcache"
	"github.com/awsmfa/awsmfa/internal/iostreams"
	"github.com/awsmfa/awsmfa/internal/lab"
	"github.com/awsmfa/awsmfa/internal/mfa"
)

// The test binary doubles as a child command.
func TestMain(m *testing.M) {
	switch os.Getenv("AWSMFA_EXEC_TEST_HELPER") {
	case "fetch":
		// A container-credentials client, as the SDKs do it.
		req, _ := http.NewRequest(http.MethodGet, os.Getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"), nil)
		req.Header.Set("Authorization", os.Getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		var body struct{ AccessKeyId string }
		_ = json.NewDecoder(resp.Body).Decode(&body)
		fmt.Printf("status=%d key=%s keyenv=%q profile=%s\n", resp.StatusCode, body.AccessKeyId, os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWSMFA_PROFILE"))
		os.Exit(3)
	case "replace":
		err := replace("/bin/sh", []string{"sh", "-c", `echo "replaced $AWSMFA_PROFILE"; exit 9`}, []string{"AWSMFA_PROFILE=p"})
		fmt.Println("replace returned:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

type fixture struct {
	l     *brokertest.Lab
	mfa   *brokertest.FakeMFA
	o     *Options
	out   *brokertest.SyncBuffer
	err   *brokertest.SyncBuffer
	cache *brokertest.MemCache
}

func newFixture(t *testing.T, env map[string]string) *fixture {
	t.Helper()
	l := brokertest.StartLab(t, lab.Lifetimes{})
	fake := l.MFA()
	ios, _, _, _ := iostreams.Test()
	out, errOut := &brokertest.SyncBuffer{}, &brokertest.SyncBuffer{}
	ios.Out, ios.ErrOut = out, errOut
	m := l.Env()
	for k, v := range env {
		m[k] = v
	}
	awsEnv := awsconfig.MapEnv(m, "linux")
	cache := brokertest.NewMemCache()
	f := &brokerutil.Factory{IO: ios, Env: &awsEnv, Cache: cache, Now: l.Clock.Now,
		NewMFA:     func(mfa.Options) mfa.Source { return fake },
		Foreground: func() bool { return false }}
	o := &Options{IO: ios, Factory: f, MinRemaining: 16 * time.Minute,
		Environ: func() []string {
			return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + l.Dir, "AWS_PROFILE=other", "AWS_ACCESS_KEY_ID=AKIAOLD",
				"AWS_SECRET_ACCESS_KEY=old", "AWS_SECURITY_TOKEN=old", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/x", "KEEP=1"}
		}}
	return &fixture{l: l, mfa: fake, o: o, out: out, err: errOut, cache: cache}
}

func TestExecPutsCredentialsInTheEnvironment(t *testing.T) {
	x := newFixture(t, nil)
	x.o.Flags.Profile = "role-with-mfa"
	x.o.Command = []string{"sh", "-c", `echo "id=$AWS_ACCESS_KEY_ID tok=${#AWS_SESSION_TOKEN} exp=$AWS_CREDENTIAL_EXPIRATION region=$AWS_REGION/$AWS_DEFAULT_REGION marker=$AWSMFA_PROFILE profile=${AWS_PROFILE-unset} sec=${AWS_SECURITY_TOKEN-unset} rel=${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI-unset} keep=$KEEP"; exit 7`}
	err := Run(x.o)
	if code := cmdutil.ExitCode(err); code != 7 {
		t.Fatalf("exit %d (%v), want the command's 7; stderr %s", code, err, x.err.String())
	}
	var ec *cmdutil.ExitCodeError
	if errors.As(err, &ec) && ec.Err != nil {
		t.Errorf("the command's exit status is reported as an error: %v", ec.Err)
	}
	got := x.out.String()
	for _, want := range []string{"id=ASIA", "region=us-east-1/us-east-1", "marker=role-with-mfa", "profile=unset", "sec=unset", "rel=unset", "keep=1", "exp=20"} {
		if !strings.Contains(got, want) {
			t.Errorf("output %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "tok=0") {
		t.Error("no session token")
	}
	if x.mfa.Calls() != 1 {
		t.Errorf("prompts %d", x.mfa.Calls())
	}
}

func TestExecRefusesToNest(t *testing.T) {
	x := newFixture(t, map[string]string{EnvMarker: "outer"})
	x.o.Flags.Profile = "role-with-mfa"
	x.o.Command = []string{"sh", "-c", "echo ran"}
	err := Run(x.o)
	if cmdutil.ExitCode(err) != cmdutil.ExitError || !strings.Contains(err.Error(), `"outer"`) || !strings.Contains(err.Error(), "already inside") {
		t.Fatalf("%v", err)
	}
	if x.out.String() != "" || x.mfa.Calls() != 0 {
		t.Error("ran anyway")
	}
}

func TestExecErrors(t *testing.T) {
	x := newFixture(t, nil)
	x.o.Flags.Profile = "nosuch"
	x.o.Command = []string{"true"}
	if err := Run(x.o); cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "profile not found") {
		t.Fatalf("%v", err)
	}
	x.o.Flags.Profile = "role-with-mfa"
	x.o.Command = []string{"/nonexistent/cmd"}
	if err := Run(x.o); cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "/nonexistent/cmd") {
		t.Fatalf("%v", err)
	}
	if x.mfa.Calls() != 0 {
		t.Error("asked for a code for a command that cannot run")
	}
	x.o.Command = []string{"sh", "-c", "kill -9 $$"}
	if err := Run(x.o); cmdutil.ExitCode(err) != 128+9 {
		t.Fatalf("killed command: %v", err)
	}
}

func TestExecServer(t *testing.T) {
	x := newFixture(t, nil)
	x.o.Flags.Profile = "role-with-mfa"
	x.o.Server = true
	x.o.Command = []string{os.Args[0]}
	x.o.Environ = func() []string {
		return []string{"AWSMFA_EXEC_TEST_HELPER=fetch", "AWS_ACCESS_KEY_ID=AKIAOLD"}
	}
	err := Run(x.o)
	if cmdutil.ExitCode(err) != 3 {
		t.Fatalf("exit %v; stdout %q stderr %q", err, x.out.String(), x.err.String())
	}
	got := x.out.String()
	if !strings.Contains(got, "status=200 key=ASIA") || !strings.Contains(got, `keyenv=""`) || !strings.Contains(got, "profile=role-with-mfa") {
		t.Fatalf("child saw %q", got)
	}
	if x.mfa.Calls() != 1 || x.l.Stat("sts:AssumeRole ok") != 1 {
		t.Fatalf("prompts %d AR %d", x.mfa.Calls(), x.l.Stat("sts:AssumeRole ok"))
	}
}

func TestChildEnv(t *testing.T) {
	ch := &awsconfig.Chain{Profile: "p", Region: "eu-west-1"}
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	c := &credcache.Credentials{AccessKeyID: "ASIAX", SecretAccessKey: "s", SessionToken: "t", Expiration: exp}
	in := []string{"AWS_PROFILE=x", "AWS_DEFAULT_PROFILE=y", "AWS_REGION=us-west-2", "AWS_SESSION_TOKEN=old", "AWS_CONFIG_FILE=/c", "PATH=/bin", "AWSMFA_PROFILE=zz", "NOEQUALS",
		"AWSMFA_KEYS_PASSPHRASE=unlocks-the-keys", "AWSMFA_CACHE_PASSPHRASE=unlocks-the-cache"}
	got := strings.Join(ChildEnv(in, ch, c, "", ""), "\n")
	want := strings.Join([]string{"AWS_CONFIG_FILE=/c", "PATH=/bin", "NOEQUALS", "AWS_ACCESS_KEY_ID=ASIAX", "AWS_SECRET_ACCESS_KEY=s", "AWS_SESSION_TOKEN=t",
		"AWS_CREDENTIAL_EXPIRATION=2030-01-02T03:04:05Z", "AWS_REGION=eu-west-1", "AWS_DEFAULT_REGION=eu-west-1", "AWSMFA_PROFILE=p"}, "\n")
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	got = strings.Join(ChildEnv(in, &awsconfig.Chain{Profile: "p"}, nil, "http://127.0.0.1:5/", "tok"), "\n")
	want = strings.Join([]string{"AWS_CONFIG_FILE=/c", "PATH=/bin", "NOEQUALS", "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:5/", "AWS_CONTAINER_AUTHORIZATION_TOKEN=tok", "AWSMFA_PROFILE=p"}, "\n")
	if got != want {
		t.Fatalf("server: got\n%s\nwant\n%s", got, want)
	}
}

func TestCommandFlags(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	var got *Options
	cmd := NewCmdExec(ios, func(o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"--profile", "p", "--server", "--", "aws", "--profile", "x", "s3", "ls"})
	cmd.SetOut(io.Discard)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Flags.Profile != "p" || !got.Server || strings.Join(got.Command, " ") != "aws --profile x s3 ls" {
		t.Fatalf("%+v", got)
	}
	// Flags after the command belong to it, even without "--".
	cmd = NewCmdExec(ios, func(o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"-p", "q", "env", "-i"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Flags.Profile != "q" || strings.Join(got.Command, " ") != "env -i" {
		t.Fatalf("%+v", got)
	}
}
