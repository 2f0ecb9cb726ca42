package setup

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestExportGolden(t *testing.T) {
	d := desiredExample(t)
	for _, tc := range []struct{ format, file string }{
		{FormatTerraform, "export.tf"},
		{FormatCloudFormation, "export.cfn.yaml"},
	} {
		out, err := Export(d, tc.format)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, tc.file, out)
	}
	if _, err := Export(d, "pulumi"); err == nil || !strings.Contains(err.Error(), `unknown format "pulumi"`) {
		t.Errorf("unknown format: %v", err)
	}
}

func TestExportTerraformEscapesPolicyVariables(t *testing.T) {
	out, err := Export(desiredExample(t), FormatTerraform)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if strings.Contains(strings.ReplaceAll(s, "$${", ""), "${") {
		t.Errorf("unescaped interpolation in:\n%s", s)
	}
	if !strings.Contains(s, `user/$${aws:username}`) {
		t.Error("policy variable missing")
	}
}

func TestExportCloudFormationIsYAML(t *testing.T) {
	out, err := Export(desiredExample(t), FormatCloudFormation)
	if err != nil {
		t.Fatal(err)
	}
	var tpl struct {
		Resources map[string]struct {
			Type       string         `yaml:"Type"`
			Properties map[string]any `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(out, &tpl); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	types := map[string]int{}
	for _, r := range tpl.Resources {
		types[r.Type]++
	}
	want := map[string]int{"AWS::IAM::Group": 1, "AWS::IAM::UserToGroupAddition": 1, "AWS::IAM::Role": 1, "AWS::IAM::ManagedPolicy": 2}
	for typ, n := range want {
		if types[typ] != n {
			t.Errorf("%s: %d resources, want %d (%v)", typ, types[typ], n, types)
		}
	}
}

func TestIdentsUnique(t *testing.T) {
	ids := &idents{used: map[string]bool{}}
	a, b := ids.get("group", "a.b"), ids.get("group", "a_b")
	if a != "group_a_b" || b != "group_a_b_2" {
		t.Errorf("terraform idents %q %q", a, b)
	}
	cf := &idents{used: map[string]bool{}, camel: true}
	if x, y := cf.get("Group", "mfa-required"), cf.get("Group", "mfa.required"); x != "GroupMfaRequired" || y != "GroupMfaRequired2" {
		t.Errorf("cloudformation idents %q %q", x, y)
	}
}
