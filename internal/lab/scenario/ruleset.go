package scenario

import (
	"encoding/json"
	"fmt"
)

// Endpoint rule sets for AWS_DATA_PATH.
//
// The AWS CLI v2 (2.9) creates the STS client of an assume-role profile
// (role_arn + mfa_serial) itself, ignoring --endpoint-url, and before 2.13 it
// reads no endpoint_url setting. Its botocore resolves endpoints with the
// service's endpoint-rule-set-1.json, looked up first in the directories of
// AWS_DATA_PATH (botocore/loaders.py: extra search paths precede
// ~/.aws/models and the built-in data). A rule set with one rule sending
// every request to the lab makes that AssumeRole, and plain
// `aws sts|iam|ec2 ...` without --endpoint-url, reach the lab.
//
// The parameters must be the ones the service's built-in rule set declares:
// botocore passes exactly the declared parameters, filling built-ins (region,
// FIPS, dual-stack, endpoint override, STS global endpoint) and rejecting a
// required one it cannot fill. These are copied from the rule sets of
// botocore as shipped in AWS CLI 2.9.19
// (awscli/botocore/data/{sts/2011-06-15,iam/2010-05-08,ec2/2016-11-15}/endpoint-rule-set-1.json).
// An explicit --endpoint-url (the Endpoint parameter) still wins.

type ruleSetService struct {
	Name       string
	APIVersion string
	Params     string
}

const (
	paramRegionOptional = `"Region": {"builtIn": "AWS::Region", "required": false, "documentation": "The AWS region used to dispatch the request.", "type": "String"}`
	paramRegionRequired = `"Region": {"builtIn": "AWS::Region", "required": true, "documentation": "The AWS region used to dispatch the request.", "type": "String"}`
	paramCommon         = `"UseDualStack": {"builtIn": "AWS::UseDualStack", "required": true, "default": false, "documentation": "When true, use the dual-stack endpoint.", "type": "Boolean"},
  "UseFIPS": {"builtIn": "AWS::UseFIPS", "required": true, "default": false, "documentation": "When true, send this request to the FIPS-compliant regional endpoint.", "type": "Boolean"},
  "Endpoint": {"builtIn": "SDK::Endpoint", "required": false, "documentation": "Override the endpoint used to send this request", "type": "String"}`
	paramSTSGlobal = `"UseGlobalEndpoint": {"builtIn": "AWS::STS::UseGlobalEndpoint", "required": true, "default": false, "documentation": "Whether the global endpoint should be used, rather then the regional endpoint for us-east-1.", "type": "Boolean"}`
)

var ruleSetServices = []ruleSetService{
	{Name: "sts", APIVersion: "2011-06-15", Params: paramRegionOptional + ",\n  " + paramCommon + ",\n  " + paramSTSGlobal},
	{Name: "iam", APIVersion: "2010-05-08", Params: paramRegionOptional + ",\n  " + paramCommon},
	{Name: "ec2", APIVersion: "2016-11-15", Params: paramRegionRequired + ",\n  " + paramCommon},
}

// RuleSetServices lists the services RuleSet knows, as "name/api-version"
// (the directory under AWS_DATA_PATH).
func RuleSetServices() []string {
	out := make([]string, len(ruleSetServices))
	for i, s := range ruleSetServices {
		out[i] = s.Name + "/" + s.APIVersion
	}
	return out
}

// RuleSet returns an endpoint-rule-set-1.json for service ("sts", "iam" or
// "ec2") that resolves every request to endpoint unless an explicit
// endpoint override is given.
func RuleSet(service, endpoint string) ([]byte, error) {
	if err := ValidateEndpoint(endpoint); err != nil {
		return nil, err
	}
	for _, s := range ruleSetServices {
		if s.Name != service {
			continue
		}
		var params map[string]json.RawMessage
		if err := json.Unmarshal([]byte("{"+s.Params+"}"), &params); err != nil {
			return nil, fmt.Errorf("rule set parameters of %s: %w", service, err)
		}
		rs := map[string]any{
			"version":    "1.0",
			"parameters": params,
			"rules": []any{
				map[string]any{
					"documentation": "An explicit endpoint (--endpoint-url) wins.",
					"conditions":    []any{map[string]any{"fn": "isSet", "argv": []any{map[string]any{"ref": "Endpoint"}}}},
					"endpoint":      map[string]any{"url": map[string]any{"ref": "Endpoint"}, "properties": map[string]any{}, "headers": map[string]any{}},
					"type":          "endpoint",
				},
				map[string]any{
					"documentation": "Everything else goes to the awsmfa lab.",
					"conditions":    []any{},
					"endpoint":      map[string]any{"url": endpoint, "properties": map[string]any{}, "headers": map[string]any{}},
					"type":          "endpoint",
				},
			},
		}
		out, err := json.MarshalIndent(rs, "", "  ")
		if err != nil {
			return nil, err
		}
		return append(out, '\n'), nil
	}
	return nil, fmt.Errorf("no endpoint rule set for service %q", service)
}
