package keyops

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/broker/brokertest"
	"github.com/awsmfa/awsmfa/internal/keystore"
	"github.com/awsmfa/awsmfa/internal/lab"
)

const (
	bobID     = "AKIAIOSFODNN7EXAMPLE"
	bobSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

func fileStore(t *testing.T) keystore.Store {
	t.Helper()
	s, err := keystore.Open(keystore.Options{Backend: keystore.BackendFile, Dir: filepath.Join(t.TempDir(), "keys"),
		Passphrase: func(bool) (string, error) { return "test passphrase", nil }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func writeFiles(t *testing.T, config, creds string) (awsconfig.Env, string, string) {
	t.Helper()
	dir := t.TempDir()
	cp, crp := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	for p, c := range map[string]string{cp: config, crp: creds} {
		if err := os.WriteFile(p, []byte(c), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := awsconfig.MapEnv(map[string]string{"AWS_CONFIG_FILE": cp, "AWS_SHARED_CREDENTIALS_FILE": crp, "HOME": dir}, "linux")
	return env, cp, crp
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestImport: keys move from the credentials file into the store; the
// profile gets credential_process; every other byte of both files is
// kept; a second import changes nothing; a profile with a role keeps its
// role.
func TestImport(t *testing.T) {
	config := "# my config\n[profile bob]\nregion = eu-west-1 # home\nmfa_serial = arn:aws:iam::123456789012:mfa/bob\n\n[profile ops]\nrole_arn = arn:aws:iam::123456789012:role/ops\nsource_profile = bob\n"
	creds := "; keys\r\n[bob]\r\naws_access_key_id = " + bobID + "\r\naws_secret_access_key = " + bobSecret + "\r\n\r\n[other]\r\naws_access_key_id = AKIAOTHEROTHEROTHER1\r\n"
	env, cp, crp := writeFiles(t, config, creds)
	s := fileStore(t)
	im := &Importer{Store: s, Env: env, Now: func() time.Time { return time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC) }}
	res, err := im.Import("bob")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Stored || !res.CredentialProcess || res.AccessKeyID != bobID || len(res.RemovedFrom) != 1 || res.RemovedFrom[0] != crp {
		t.Errorf("result %+v", res)
	}
	if got, want := read(t, crp), "; keys\r\n[bob]\r\n\r\n[other]\r\naws_access_key_id = AKIAOTHEROTHEROTHER1\r\n"; got != want {
		t.Errorf("credentials:\n%q\nwant\n%q", got, want)
	}
	if got, want := read(t, cp), "# my config\n[profile bob]\nregion = eu-west-1 # home\nmfa_serial = arn:aws:iam::123456789012:mfa/bob\ncredential_process = awsmfa credential-process --profile bob\n\n[profile ops]\nrole_arn = arn:aws:iam::123456789012:role/ops\nsource_profile = bob\n"; got != want {
		t.Errorf("config:\n%q\nwant\n%q", got, want)
	}
	e, err := s.Get("bob")
	if err != nil || e.AccessKeyID != bobID || e.SecretAccessKey != bobSecret || !e.Added.Equal(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("stored key %v %v", e != nil && e.AccessKeyID == bobID, err)
	}

	// The stored keys now resolve as bob's static keys, before the
	// credential_process that names awsmfa itself.
	cfg, err := awsconfig.Load(env)
	if err != nil {
		t.Fatal(err)
	}
	cfg.StoredKeys = s.Lookup
	ch, err := cfg.Resolve("ops")
	if err != nil || ch.Base.Kind != awsconfig.BaseStatic || !ch.Base.Stored || ch.Base.AccessKeyID != bobID || ch.Base.SecretAccessKey != "" {
		t.Errorf("ops resolves to %+v %v", ch, err)
	}

	again, err := im.Import("bob")
	if err != nil || again.Stored || again.CredentialProcess || len(again.RemovedFrom) != 0 {
		t.Errorf("second import: %+v %v", again, err)
	}
	if _, err := im.Import("ops"); err == nil || !strings.Contains(err.Error(), "no access key in the files nor in the key store") {
		t.Errorf("import of a role profile: %v", err)
	}
	if _, err := im.Import("nobody"); err == nil || !strings.Contains(err.Error(), "profile nobody is not in") {
		t.Errorf("unknown profile: %v", err)
	}
}

// TestImportRefuses: temporary keys, half keys and malformed keys are not
// imported, and the files are untouched.
func TestImportRefuses(t *testing.T) {
	for _, tc := range []struct{ name, creds, want string }{
		{"session token", "[p]\naws_access_key_id = ASIAIOSFODNN7EXAMPLE\naws_secret_access_key = " + bobSecret + "\naws_session_token = x\n", "temporary credentials"},
		{"half", "[p]\naws_access_key_id = " + bobID + "\n", "only one of"},
		{"bad id", "[p]\naws_access_key_id = not-a-key\naws_secret_access_key = " + bobSecret + "\n", "is not an access key ID"},
		{"bad secret", "[p]\naws_access_key_id = " + bobID + "\naws_secret_access_key = short\n", "is not a secret access key"},
	} {
		env, _, crp := writeFiles(t, "", tc.creds)
		_, err := (&Importer{Store: fileStore(t), Env: env}).Import("p")
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), bobSecret) {
			t.Errorf("%s: %v", tc.name, err)
		}
		if read(t, crp) != tc.creds {
			t.Errorf("%s: file changed", tc.name)
		}
	}
}

// failingStore fails its failAt-th Put (1-based), as a kill between two
// steps would leave things.
type failingStore struct {
	keystore.Store
	puts, failAt int
}

var errKilled = errors.New("killed")

func (f *failingStore) Put(e *keystore.Entry) error {
	f.puts++
	if f.puts == f.failAt {
		return errKilled
	}
	return f.Store.Put(e)
}

// lostIAM performs CreateAccessKey and then loses its answer (a kill
// right after IAM made the key).
type lostIAM struct {
	IAM
	lose bool
}

func (l *lostIAM) CreateAccessKey(ctx context.Context, in *iam.CreateAccessKeyInput, o ...func(*iam.Options)) (*iam.CreateAccessKeyOutput, error) {
	out, err := l.IAM.CreateAccessKey(ctx, in, o...)
	if l.lose && err == nil {
		return nil, errKilled
	}
	return out, err
}

type rotationLab struct {
	l     *brokertest.Lab
	admin *iam.Client
	cfg   aws.Config
}

func startRotationLab(t *testing.T) *rotationLab {
	t.Helper()
	l := brokertest.StartLab(t, lab.Lifetimes{})
	admin, _ := l.Applied.User("admin")
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(l.URL), HTTPClient: &http.Client{Transport: tr},
		Credentials: credentials.NewStaticCredentialsProvider(admin.AccessKeys[0].ID, admin.AccessKeys[0].Secret, "")}
	return &rotationLab{l: l, admin: iam.NewFromConfig(cfg), cfg: cfg}
}

// works is GetCallerIdentity with the key.
func (rl *rotationLab) works(ctx context.Context, id, secret string) error {
	c := rl.cfg.Copy()
	c.Credentials = credentials.NewStaticCredentialsProvider(id, secret, "")
	_, err := sts.NewFromConfig(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	return err
}

func (rl *rotationLab) keys(t *testing.T, user string) []string {
	t.Helper()
	out, err := rl.admin.ListAccessKeys(context.Background(), &iam.ListAccessKeysInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, k := range out.AccessKeyMetadata {
		ids = append(ids, aws.ToString(k.AccessKeyId)+":"+string(k.Status))
	}
	return ids
}

// storeBob puts bob's scenario key in a new store.
func (rl *rotationLab) storeBob(t *testing.T) (keystore.Store, string) {
	t.Helper()
	s := fileStore(t)
	bob, _ := rl.l.Applied.User("bob")
	k := bob.AccessKeys[0]
	if err := s.Put(&keystore.Entry{Profile: "bob", AccessKeyID: k.ID, SecretAccessKey: k.Secret, Added: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return s, k.ID
}

func noSleep(context.Context, time.Duration) error { return nil }

// TestRotate: the new key replaces the old one in IAM and in the store;
// the old key no longer works; with KeepOld it is deactivated.
func TestRotate(t *testing.T) {
	for _, keepOld := range []bool{false, true} {
		t.Run(fmt.Sprintf("keepOld=%v", keepOld), func(t *testing.T) {
			rl := startRotationLab(t)
			s, oldID := rl.storeBob(t)
			var log strings.Builder
			r := &Rotator{Store: s, IAM: rl.admin, User: "bob", Works: rl.works, KeepOld: keepOld, Sleep: noSleep, Log: &log}
			res, err := r.Rotate(context.Background(), "bob")
			if err != nil {
				t.Fatalf("rotate: %v\n%s", err, log.String())
			}
			e, _ := s.Get("bob")
			if e.AccessKeyID == oldID || e.AccessKeyID != res.NewAccessKeyID || res.OldAccessKeyID != oldID || e.Rotation != nil || e.Rotated.IsZero() {
				t.Fatalf("after rotate: %+v, result %+v", e, res)
			}
			want := []string{e.AccessKeyID + ":Active"}
			if keepOld {
				want = []string{oldID + ":Inactive", e.AccessKeyID + ":Active"}
			}
			if got := rl.keys(t, "bob"); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("bob's keys %v, want %v", got, want)
			}
			if err := rl.works(context.Background(), e.AccessKeyID, e.SecretAccessKey); err != nil {
				t.Errorf("new key: %v", err)
			}
			bob, _ := rl.l.Applied.User("bob")
			if err := rl.works(context.Background(), oldID, bob.AccessKeys[0].Secret); err == nil {
				t.Error("the old key still works")
			}
			if strings.Contains(log.String(), e.SecretAccessKey) {
				t.Error("the log shows the secret")
			}
		})
	}
}

// TestRotateInterrupted: a rotation stopped after each of its store
// writes, or after IAM created the key but before its answer arrived,
// is finished by a second Rotate: bob ends with exactly one key, the
// stored one, and it works.
func TestRotateInterrupted(t *testing.T) {
	cases := []struct {
		name   string
		failAt int
		lose   bool
	}{
		{"before the start is recorded", 1, false},
		{"before the new key is recorded", 2, false},
		{"before the new key becomes the profile's", 3, false},
		{"before the rotation is cleared", 4, false},
		{"CreateAccessKey's answer lost", 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rl := startRotationLab(t)
			s, oldID := rl.storeBob(t)
			fs := &failingStore{Store: s, failAt: tc.failAt}
			r := &Rotator{Store: fs, IAM: &lostIAM{IAM: rl.admin, lose: tc.lose}, User: "bob", Works: rl.works, Sleep: noSleep}
			if _, err := r.Rotate(context.Background(), "bob"); !errors.Is(err, errKilled) {
				t.Fatalf("interrupted rotate: %v", err)
			}
			r2 := &Rotator{Store: s, IAM: rl.admin, User: "bob", Works: rl.works, Sleep: noSleep}
			res, err := r2.Rotate(context.Background(), "bob")
			if err != nil {
				t.Fatalf("second rotate: %v", err)
			}
			e, _ := s.Get("bob")
			if got := rl.keys(t, "bob"); len(got) != 1 || got[0] != e.AccessKeyID+":Active" || e.AccessKeyID == oldID || e.Rotation != nil {
				t.Errorf("keys %v, stored %s (old %s), rotation %+v, result %+v", got, e.AccessKeyID, oldID, e.Rotation, res)
			}
			if err := rl.works(context.Background(), e.AccessKeyID, e.SecretAccessKey); err != nil {
				t.Errorf("stored key: %v", err)
			}
		})
	}
}

// TestRotateRefusesTwoKeys: a second key that no rotation created is
// not touched; the error says which keys and how to fix it; the
// rotation is cleared.
func TestRotateRefusesTwoKeys(t *testing.T) {
	rl := startRotationLab(t)
	s, oldID := rl.storeBob(t)
	extra, err := rl.admin.CreateAccessKey(context.Background(), &iam.CreateAccessKeyInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	// The extra key was made seconds before: a fresh rotation did not
	// create it, so it refuses instead of deleting it.
	r := &Rotator{Store: s, IAM: rl.admin, User: "bob", Works: rl.works, Sleep: noSleep}
	_, err = r.Rotate(context.Background(), "bob")
	if !errors.Is(err, ErrTwoKeys) || !strings.Contains(err.Error(), aws.ToString(extra.AccessKey.AccessKeyId)) || !strings.Contains(err.Error(), "aws iam delete-access-key --user-name bob") {
		t.Fatalf("rotate with two keys: %v", err)
	}
	if got := rl.keys(t, "bob"); len(got) != 2 {
		t.Errorf("keys %v", got)
	}
	if e, _ := s.Get("bob"); e.AccessKeyID != oldID || e.Rotation != nil {
		t.Errorf("stored key %s, rotation %+v", e.AccessKeyID, e.Rotation)
	}
}

// TestRotateWaitsForPropagation: a key that works only after a few
// checks is waited for; one that never works leaves the rotation to be
// finished later.
func TestRotateWaitsForPropagation(t *testing.T) {
	rl := startRotationLab(t)
	s, _ := rl.storeBob(t)
	checks := 0
	var slept time.Duration
	r := &Rotator{Store: s, IAM: rl.admin, User: "bob", Sleep: func(_ context.Context, d time.Duration) error { slept += d; return nil },
		Works: func(ctx context.Context, id, secret string) error {
			checks++
			if checks < 3 {
				return errors.New("InvalidClientTokenId")
			}
			return rl.works(ctx, id, secret)
		}, Propagation: time.Minute}
	if _, err := r.Rotate(context.Background(), "bob"); err != nil || checks != 3 || slept != 1500*time.Millisecond {
		t.Fatalf("rotate: %v, %d checks, slept %s", err, checks, slept)
	}
	r.Works = func(context.Context, string, string) error { return errors.New("InvalidClientTokenId") }
	_, err := r.Rotate(context.Background(), "bob")
	if err == nil || !strings.Contains(err.Error(), "does not work after") {
		t.Fatalf("never works: %v", err)
	}
	if e, _ := s.Get("bob"); e.Rotation == nil || e.Rotation.NewAccessKeyID == "" {
		t.Errorf("the rotation was not kept: %+v", e.Rotation)
	}
}

// TestRotateRefused: IAM refusing CreateAccessKey (here: no permission)
// ends the rotation: nothing to resume, the stored key unchanged.
func TestRotateRefused(t *testing.T) {
	rl := startRotationLab(t)
	s, oldID := rl.storeBob(t)
	bob, _ := rl.l.Applied.User("bob")
	c := rl.cfg.Copy()
	c.Credentials = credentials.NewStaticCredentialsProvider(bob.AccessKeys[0].ID, bob.AccessKeys[0].Secret, "")
	r := &Rotator{Store: s, IAM: iam.NewFromConfig(c), User: "bob", Works: rl.works, Sleep: noSleep}
	_, err := r.Rotate(context.Background(), "bob")
	if err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("rotate without permission: %v", err)
	}
	if e, _ := s.Get("bob"); e.AccessKeyID != oldID || e.Rotation != nil {
		t.Errorf("stored key %s, rotation %+v", e.AccessKeyID, e.Rotation)
	}
}

// TestRotateRefusesSharedKey: a key two stored profiles hold is not
// rotated (deleting it would break the other one).
func TestRotateRefusesSharedKey(t *testing.T) {
	rl := startRotationLab(t)
	s, oldID := rl.storeBob(t)
	e, _ := s.Get("bob")
	e.Profile = "bob-work"
	if err := s.Put(e); err != nil {
		t.Fatal(err)
	}
	r := &Rotator{Store: s, IAM: rl.admin, User: "bob", Works: rl.works, Sleep: noSleep}
	_, err := r.Rotate(context.Background(), "bob")
	if err == nil || !strings.Contains(err.Error(), "also the key of profile(s) bob-work") {
		t.Fatalf("shared key: %v", err)
	}
	if got := rl.keys(t, "bob"); len(got) != 1 || got[0] != oldID+":Active" {
		t.Errorf("keys %v", got)
	}
}

// TestImportKeepsStoreState: import refuses to overwrite an unfinished
// rotation or a different stored key.
func TestImportKeepsStoreState(t *testing.T) {
	creds := "[bob]\naws_access_key_id = " + bobID + "\naws_secret_access_key = " + bobSecret + "\n"
	for _, tc := range []struct {
		name  string
		entry *keystore.Entry
		want  string
	}{
		{"rotation", &keystore.Entry{Profile: "bob", AccessKeyID: bobID, SecretAccessKey: bobSecret, Rotation: &keystore.Rotation{Started: time.Now(), NewAccessKeyID: "AKIAI44QH8DHBEXAMPLE", NewSecretAccessKey: "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"}}, "rotation of its stored key"},
		{"other key", &keystore.Entry{Profile: "bob", AccessKeyID: "AKIAI44QH8DHBEXAMPLE", SecretAccessKey: "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"}, "the key store holds access key AKIAI44QH8DHBEXAMPLE, the files hold " + bobID},
	} {
		env, _, crp := writeFiles(t, "", creds)
		s := fileStore(t)
		if err := s.Put(tc.entry); err != nil {
			t.Fatal(err)
		}
		_, err := (&Importer{Store: s, Env: env}).Import("bob")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
		if read(t, crp) != creds {
			t.Errorf("%s: the file changed", tc.name)
		}
		if e, _ := s.Get("bob"); e.AccessKeyID != tc.entry.AccessKeyID || (e.Rotation == nil) != (tc.entry.Rotation == nil) {
			t.Errorf("%s: the store changed: %v", tc.name, e)
		}
	}
}

// killedDeleteIAM is killed during DeleteAccessKey (before IAM sees it).
type killedDeleteIAM struct{ IAM }

func (killedDeleteIAM) DeleteAccessKey(context.Context, *iam.DeleteAccessKeyInput, ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error) {
	return nil, errKilled
}

// refusingIAM answers DeleteAccessKey with AccessDenied.
type refusingIAM struct{ IAM }

func (refusingIAM) DeleteAccessKey(context.Context, *iam.DeleteAccessKeyInput, ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "not allowed"}
}

// TestRotateAbort: an unfinished rotation, stopped at each of its
// stages, is aborted: what it created is deleted (or found deleted), the
// profile keeps a working key, and the record is cleared; a rotation that
// had switched keys leaves the old key alone; a refused delete keeps the
// record.
func TestRotateAbort(t *testing.T) {
	cases := []struct {
		name        string
		failAt      int  // the store write that fails in the first rotate
		lose        bool // CreateAccessKey's answer lost
		killDelete  bool // the first rotate is killed while retiring the old key
		deleteFirst bool // someone deletes the new key in IAM before the abort
		refuse      bool // IAM refuses DeleteAccessKey
		wantKeys    int  // bob's keys in IAM after the abort
		keepsOld    bool // the profile's key after the abort is the old one
		wantLeft    bool
		wantErr     string
	}{
		{name: "answer lost before the new key was recorded", lose: true, wantKeys: 1, keepsOld: true},
		{name: "new key recorded", failAt: 3, wantKeys: 1, keepsOld: true},
		{name: "new key recorded, then deleted by someone else", failAt: 3, deleteFirst: true, wantKeys: 1, keepsOld: true},
		{name: "new key already the profile's, old key retired", failAt: 4, wantKeys: 1, wantLeft: true},
		{name: "new key already the profile's, old key not yet retired", killDelete: true, wantKeys: 2, wantLeft: true},
		{name: "delete refused", failAt: 3, refuse: true, wantKeys: 2, keepsOld: true, wantErr: "AccessDenied"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rl := startRotationLab(t)
			s, oldID := rl.storeBob(t)
			var first IAM = &lostIAM{IAM: rl.admin, lose: tc.lose}
			if tc.killDelete {
				first = killedDeleteIAM{rl.admin}
			}
			r := &Rotator{Store: &failingStore{Store: s, failAt: tc.failAt}, IAM: first, User: "bob", Works: rl.works, Sleep: noSleep}
			if _, err := r.Rotate(context.Background(), "bob"); !errors.Is(err, errKilled) {
				t.Fatalf("interrupted rotate: %v", err)
			}
			before, _ := s.Get("bob")
			if before.Rotation == nil {
				t.Fatal("no rotation recorded")
			}
			if tc.deleteFirst {
				if _, err := rl.admin.DeleteAccessKey(context.Background(), &iam.DeleteAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: aws.String(before.Rotation.NewAccessKeyID)}); err != nil {
					t.Fatal(err)
				}
			}
			var client IAM = rl.admin
			if tc.refuse {
				client = refusingIAM{rl.admin}
			}
			var log strings.Builder
			a := &Rotator{Store: s, IAM: client, User: "bob", Works: rl.works, Sleep: noSleep, Log: &log}
			res, err := a.Abort(context.Background(), "bob")
			after, _ := s.Get("bob")
			if got := rl.keys(t, "bob"); len(got) != tc.wantKeys {
				t.Errorf("bob's keys after the abort: %v, want %d", got, tc.wantKeys)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || after.Rotation == nil {
					t.Fatalf("abort: %v, rotation %+v; want %q and the rotation kept", err, after.Rotation, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("abort: %v\n%s", err, log.String())
			}
			if after.Rotation != nil || res.AccessKeyID != after.AccessKeyID || (after.AccessKeyID == oldID) != tc.keepsOld || (res.Left == oldID) != tc.wantLeft {
				t.Errorf("after the abort: stored %s (old %s), rotation %+v, result %+v", after.AccessKeyID, oldID, after.Rotation, res)
			}
			if err := rl.works(context.Background(), after.AccessKeyID, after.SecretAccessKey); err != nil {
				t.Errorf("the profile's key does not work: %v", err)
			}
			if strings.Contains(log.String(), after.SecretAccessKey) {
				t.Error("the log shows the secret")
			}
			// A new rotation starts from a clean state.
			if _, err := (&Rotator{Store: s, IAM: rl.admin, User: "bob", Works: rl.works, Sleep: noSleep}).Rotate(context.Background(), "bob"); err != nil && !tc.wantLeft {
				t.Errorf("rotate after the abort: %v", err)
			}
		})
	}
	t.Run("nothing to abort", func(t *testing.T) {
		rl := startRotationLab(t)
		s, _ := rl.storeBob(t)
		r := &Rotator{Store: s, IAM: rl.admin, User: "bob", Works: rl.works, Sleep: noSleep}
		if _, err := r.Abort(context.Background(), "bob"); err == nil || !strings.Contains(err.Error(), "no unfinished rotation") {
			t.Errorf("abort without a rotation: %v", err)
		}
	})
}
