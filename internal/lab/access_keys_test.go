package lab

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// daveSelf lets dave read himself and manage and inspect his own keys only.
const daveSelf = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
 "Action":["iam:GetUser","iam:UpdateAccessKey","iam:GetAccessKeyLastUsed"],
 "Resource":"arn:aws:iam::123456789012:user/dave"}]}`

// newDave creates the user dave with the daveSelf policy and one access
// key, through the administrator's SDK client.
func newDave(t *testing.T, admin *iam.Client) creds {
	t.Helper()
	ctx := context.Background()
	_, err := admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dave")})
	noErr(t, "CreateUser dave", err)
	_, err = admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dave"), PolicyName: aws.String("Self"), PolicyDocument: aws.String(daveSelf)})
	noErr(t, "PutUserPolicy", err)
	k, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("dave")})
	noErr(t, "CreateAccessKey dave", err)
	return creds{id: aws.ToString(k.AccessKey.AccessKeyId), secret: aws.ToString(k.AccessKey.SecretAccessKey)}
}

// regionIAM is an IAM client signing for region.
func regionIAM(url string, c creds, region string) *iam.Client {
	cfg := sdkConfig(url, c)
	cfg.Region = region
	return iam.NewFromConfig(cfg)
}

// An Inactive key is refused for signing, by STS (GetCallerIdentity,
// GetSessionToken) and IAM alike, as AWS does: InvalidClientTokenId. Made
// Active again, it works again.
func TestUpdateAccessKeyStatusWithSDK(t *testing.T) {
	_, endpoint, a := newLab(t, Config{})
	ctx := context.Background()
	admin := iamClient(endpoint, a.admin)
	dave := newDave(t, admin)
	daveSTS, daveIAM := stsClient(endpoint, dave), iamClient(endpoint, dave)

	signed := []struct {
		name string
		call func() error
	}{
		{"sts:GetCallerIdentity", func() error {
			_, err := daveSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		}},
		{"sts:GetSessionToken", func() error {
			_, err := daveSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
			return err
		}},
		{"iam:GetUser", func() error {
			_, err := daveIAM.GetUser(ctx, &iam.GetUserInput{})
			return err
		}},
	}
	for _, step := range []struct {
		status   types.StatusType
		wantCode string
	}{
		{types.StatusTypeInactive, "InvalidClientTokenId"},
		{types.StatusTypeActive, ""},
		{types.StatusTypeInactive, "InvalidClientTokenId"},
		{types.StatusTypeActive, ""},
	} {
		_, err := admin.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("dave"), AccessKeyId: aws.String(dave.id), Status: step.status})
		noErr(t, "UpdateAccessKey "+string(step.status), err)
		keys, err := admin.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("dave")})
		noErr(t, "ListAccessKeys", err)
		if len(keys.AccessKeyMetadata) != 1 || keys.AccessKeyMetadata[0].Status != step.status {
			t.Fatalf("after UpdateAccessKey %s, ListAccessKeys: %+v", step.status, keys.AccessKeyMetadata)
		}
		for _, c := range signed {
			err := c.call()
			if step.wantCode == "" {
				if err != nil {
					t.Errorf("%s with an %s key: %v", c.name, step.status, err)
				}
				continue
			}
			wantErr(t, c.name+" with an "+string(step.status)+" key", err, step.wantCode, "The security token included in the request is invalid.")
		}
	}

	// Without UserName, the caller's own key; dave may update only his.
	_, err := daveIAM.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{AccessKeyId: aws.String(dave.id), Status: types.StatusTypeActive})
	noErr(t, "dave's UpdateAccessKey of his own key", err)
	_, err = daveIAM.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: aws.String(a.bool.id), Status: types.StatusTypeInactive})
	wantErr(t, "dave's UpdateAccessKey of bob's key", err, "AccessDenied",
		"User: arn:aws:iam::123456789012:user/dave is not authorized to perform: iam:UpdateAccessKey on resource: arn:aws:iam::123456789012:user/bob")
	if _, err := stsClient(endpoint, a.bool).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("bob's key after a denied UpdateAccessKey: %v", err)
	}
}

func TestUpdateAccessKeyErrorsWithSDK(t *testing.T) {
	_, endpoint, a := newLab(t, Config{})
	ctx := context.Background()
	admin := iamClient(endpoint, a.admin)
	dave := newDave(t, admin)
	daveIAM := iamClient(endpoint, dave)
	const unknownKey = "AKIAIOSFODNN7EXAMPLE"

	for _, c := range []struct {
		name     string
		client   *iam.Client
		in       iam.UpdateAccessKeyInput
		code     string
		message  string
		stillUse []creds // keys that must still work afterwards
	}{
		{"a status outside the enum", admin,
			iam.UpdateAccessKeyInput{UserName: aws.String("dave"), AccessKeyId: aws.String(dave.id), Status: "Disabled"},
			"ValidationError", "1 validation error detected: Value 'Disabled' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Expired, Inactive]",
			[]creds{dave}},
		{"a lower-case status", admin,
			iam.UpdateAccessKeyInput{UserName: aws.String("dave"), AccessKeyId: aws.String(dave.id), Status: "inactive"},
			"ValidationError", "Value 'inactive' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Expired, Inactive]",
			[]creds{dave}},
		{"Expired, which the lab does not implement", admin,
			iam.UpdateAccessKeyInput{UserName: aws.String("dave"), AccessKeyId: aws.String(dave.id), Status: "Expired"},
			"ValidationError", "does not implement the access key status Expired", []creds{dave}},
		{"a too short key id", admin,
			iam.UpdateAccessKeyInput{UserName: aws.String("dave"), AccessKeyId: aws.String("AKIA"), Status: types.StatusTypeInactive},
			"ValidationError", "Value 'AKIA' at 'accessKeyId' failed to satisfy constraint", nil},
		{"another user's key, named user", admin,
			iam.UpdateAccessKeyInput{UserName: aws.String("dave"), AccessKeyId: aws.String(a.bool.id), Status: types.StatusTypeInactive},
			"NoSuchEntity", "The Access Key with id " + a.bool.id + " cannot be found.", []creds{a.bool}},
		{"another user's key, the caller by default", daveIAM,
			iam.UpdateAccessKeyInput{AccessKeyId: aws.String(a.bool.id), Status: types.StatusTypeInactive},
			"NoSuchEntity", "The Access Key with id " + a.bool.id + " cannot be found.", []creds{a.bool}},
		{"an unknown key", admin,
			iam.UpdateAccessKeyInput{UserName: aws.String("dave"), AccessKeyId: aws.String(unknownKey), Status: types.StatusTypeInactive},
			"NoSuchEntity", "The Access Key with id " + unknownKey + " cannot be found.", nil},
		{"an unknown user", admin,
			iam.UpdateAccessKeyInput{UserName: aws.String("nosuch"), AccessKeyId: aws.String(dave.id), Status: types.StatusTypeInactive},
			"NoSuchEntity", "The user with name nosuch cannot be found.", []creds{dave}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			_, err := c.client.UpdateAccessKey(ctx, &in)
			wantErr(t, "UpdateAccessKey", err, c.code, c.message)
			for _, k := range c.stillUse {
				if _, err := stsClient(endpoint, k).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
					t.Errorf("key %s no longer works: %v", k.id, err)
				}
			}
		})
	}
}

// A missing Status (the SDK refuses to send one) is IAM's null message.
func TestUpdateAccessKeyWithoutStatus(t *testing.T) {
	l := newFileLab(t)
	l.touch(l.a.admin)
	before := l.digest()
	for _, c := range []struct {
		form    url.Values
		message string
	}{
		{url.Values{"UserName": {"alice"}, "AccessKeyId": {l.aliceKey}},
			"1 validation error detected: Value null at 'status' failed to satisfy constraint: Member must not be null"},
		{url.Values{"UserName": {"alice"}, "Status": {"Inactive"}},
			"1 validation error detected: Value null at 'accessKeyId' failed to satisfy constraint: Member must not be null"},
	} {
		c.form.Set("Action", "UpdateAccessKey")
		c.form.Set("Version", versionIAM)
		st, body := l.call(l.a.admin, serviceIAM, c.form)
		if code, msg := apiErrorOf(t, body); st != 400 || code != "ValidationError" || msg != c.message {
			t.Errorf("%v: %d %s %q", c.form, st, code, msg)
		}
	}
	if l.digest() != before {
		t.Fatal("a refused UpdateAccessKey changed the state")
	}
}

// GetAccessKeyLastUsed answers N/A for a key never used, then the date,
// service and signing region of its last use; it is authorized on the
// key's owner, and an unknown key is AccessDenied. A third key is over
// IAM's quota.
func TestAccessKeyLastUsedWithSDK(t *testing.T) {
	_, endpoint, a := newLab(t, Config{})
	ctx := context.Background()
	admin := iamClient(endpoint, a.admin)
	dave := newDave(t, admin)
	k2, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("dave")})
	noErr(t, "dave's second CreateAccessKey", err)
	dave2 := creds{id: aws.ToString(k2.AccessKey.AccessKeyId), secret: aws.ToString(k2.AccessKey.SecretAccessKey)}

	_, err = admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("dave")})
	wantErr(t, "dave's third CreateAccessKey", err, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")

	lastUsed := func(c *iam.Client, id string) (*iam.GetAccessKeyLastUsedOutput, error) {
		return c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(id)})
	}
	for _, k := range []creds{dave, dave2} {
		out, err := lastUsed(admin, k.id)
		noErr(t, "GetAccessKeyLastUsed of an unused key", err)
		u := out.AccessKeyLastUsed
		if aws.ToString(out.UserName) != "dave" || u == nil || u.LastUsedDate != nil || aws.ToString(u.ServiceName) != "N/A" || aws.ToString(u.Region) != "N/A" {
			t.Fatalf("unused key: user %q, last used %s", aws.ToString(out.UserName), lastUsedString(u))
		}
	}

	// Each key makes one call (the lab records a key's use at most once
	// a minute): dave's through STS in eu-west-2, dave2's through IAM in
	// ap-southeast-2.
	start := time.Now().UTC().Truncate(time.Second)
	cfg := sdkConfig(endpoint, dave)
	cfg.Region = "eu-west-2"
	_, err = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	noErr(t, "dave's GetCallerIdentity", err)
	_, err = regionIAM(endpoint, dave2, "ap-southeast-2").GetUser(ctx, &iam.GetUserInput{})
	noErr(t, "dave2's GetUser", err)
	end := time.Now().UTC()

	for _, c := range []struct {
		key             creds
		service, region string
	}{
		{dave, "sts", "eu-west-2"},
		{dave2, "iam", "ap-southeast-2"},
	} {
		out, err := lastUsed(admin, c.key.id)
		noErr(t, "GetAccessKeyLastUsed", err)
		u := out.AccessKeyLastUsed
		if aws.ToString(out.UserName) != "dave" || u == nil || aws.ToString(u.ServiceName) != c.service || aws.ToString(u.Region) != c.region {
			t.Errorf("key used with %s in %s: user %q, last used %s", c.service, c.region, aws.ToString(out.UserName), lastUsedString(u))
			continue
		}
		if u.LastUsedDate == nil || u.LastUsedDate.Before(start) || u.LastUsedDate.After(end) {
			t.Errorf("key used with %s: LastUsedDate %v, not in [%v, %v]", c.service, u.LastUsedDate, start, end)
		}
	}

	// Authorized on the key's owner: dave may ask about his keys only.
	daveIAM := iamClient(endpoint, dave)
	for _, c := range []struct {
		name, id, code, message string
	}{
		{"his own key", dave2.id, "", ""},
		{"bob's key", a.bool.id, "AccessDenied",
			"User: arn:aws:iam::123456789012:user/dave is not authorized to perform: iam:GetAccessKeyLastUsed on resource: arn:aws:iam::123456789012:user/bob"},
		{"an unknown key", "AKIAIOSFODNN7EXAMPLE", "AccessDenied",
			"User: arn:aws:iam::123456789012:user/dave is not authorized to perform: iam:GetAccessKeyLastUsed on resource: access key AKIAIOSFODNN7EXAMPLE"},
		{"a too short key id", "AKIA", "ValidationError", "Value 'AKIA' at 'accessKeyId' failed to satisfy constraint"},
	} {
		out, err := lastUsed(daveIAM, c.id)
		if c.code == "" {
			if err != nil || aws.ToString(out.UserName) != "dave" {
				t.Errorf("dave asks about %s: %v", c.name, err)
			}
			continue
		}
		wantErr(t, "dave asks about "+c.name, err, c.code, c.message)
	}
	// Even the administrator: an unknown key is not revealed as such.
	_, err = lastUsed(admin, "AKIAIOSFODNN7EXAMPLE")
	wantErr(t, "the administrator asks about an unknown key", err, "AccessDenied", "on resource: access key AKIAIOSFODNN7EXAMPLE")
}

func lastUsedString(u *types.AccessKeyLastUsed) string {
	if u == nil {
		return "<no AccessKeyLastUsed>"
	}
	date := "<no date>"
	if u.LastUsedDate != nil {
		date = u.LastUsedDate.Format(time.RFC3339)
	}
	return date + " " + aws.ToString(u.ServiceName) + " " + aws.ToString(u.Region)
}
