package awsconfig

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Endpoint is a configured endpoint URL and where it comes from.
type Endpoint struct {
	URL  string
	From string // "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL", "[services lab] sts.endpoint_url (file:line)", ...
}

// EndpointURL returns the endpoint configured for service (a service
// identifier such as "sts" or "iam") when profile is used, with the
// precedence of the SDKs and the AWS CLI
// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html;
// aws-cli tests/functional/configured_endpoint_urls):
//
//  1. AWS_ENDPOINT_URL_<SERVICE> (e.g. AWS_ENDPOINT_URL_STS)
//  2. AWS_ENDPOINT_URL
//  3. the service's endpoint_url in the [services NAME] section named by
//     the profile's `services` key
//  4. the profile's endpoint_url
//
// and none of them when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or the
// profile's ignore_configured_endpoint_urls) is true. An empty Endpoint
// means the AWS default. The URL must be absolute http(s) with a host.
func (c *Config) EndpointURL(profile, service string) (Endpoint, error) {
	if profile == "" {
		profile = c.Selected
	}
	p := c.profiles[profile]
	ignore := c.Env.get(EnvIgnoreEndpoints)
	if ignore == "" {
		ignore = p.Value(KeyIgnoreEndpoints)
	}
	if strings.EqualFold(strings.TrimSpace(ignore), "true") {
		return Endpoint{}, nil
	}
	svcEnv := EnvEndpointURL + "_" + serviceEnvSuffix(service)
	check := func(e Endpoint, key string, at Location) (Endpoint, error) {
		if err := ValidateEndpointURL(e.URL); err != nil {
			return Endpoint{}, &Error{Code: CodeEndpoint, Profile: profileIf(at, profile), Key: key, File: at.File, Line: at.Line,
				Msg: err.Error()}
		}
		return e, nil
	}
	if v := c.Env.get(svcEnv); v != "" {
		return check(Endpoint{URL: v, From: svcEnv}, svcEnv, Location{})
	}
	if v := c.Env.get(EnvEndpointURL); v != "" {
		return check(Endpoint{URL: v, From: EnvEndpointURL}, EnvEndpointURL, Location{})
	}
	if sec, ok := p.Lookup(KeyServices); ok {
		key := serviceConfigKey(service)
		if e, ok := c.services[sec.Value][key][KeyEndpointURL]; ok {
			return check(Endpoint{URL: e.Value, From: fmt.Sprintf("[services %s] %s.endpoint_url (%s)", sec.Value, key, e.Location)},
				key+"."+KeyEndpointURL, e.Location)
		}
	}
	if e, ok := p.Lookup(KeyEndpointURL); ok {
		return check(Endpoint{URL: e.Value, From: fmt.Sprintf("endpoint_url of profile %q (%s)", profile, e.Location)}, KeyEndpointURL, e.Location)
	}
	return Endpoint{}, nil
}

func profileIf(at Location, profile string) string {
	if at.Line == 0 && at.File == "" {
		return ""
	}
	return profile
}

// serviceEnvSuffix turns a service identifier into the suffix of its
// environment variable: upper case, spaces and dashes as underscores.
func serviceEnvSuffix(service string) string {
	return strings.ToUpper(strings.NewReplacer(" ", "_", "-", "_").Replace(service))
}

// serviceConfigKey turns a service identifier into its key in a [services]
// section: lower case, spaces and dashes as underscores.
func serviceConfigKey(service string) string {
	return strings.ToLower(strings.NewReplacer(" ", "_", "-", "_").Replace(service))
}

// ValidateEndpointURL checks that s is an absolute http or https URL with a
// host.
func ValidateEndpointURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%q is not an http:// or https:// URL (%v)", s, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%q is not an http:// or https:// URL", s)
	}
	if u.Host == "" {
		return fmt.Errorf("%q has no host", s)
	}
	return nil
}

// Container-credentials endpoint rules, as in the SDKs (smithy-rs
// aws-config/src/ecs.rs; the JavaScript SDK's checkUrl):
//
//   - AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, when set, wins and is
//     appended to http://169.254.170.2;
//   - otherwise AWS_CONTAINER_CREDENTIALS_FULL_URI must be https (any host)
//     or http to a loopback host (localhost, 127.0.0.0/8, ::1) or to the ECS
//     (169.254.170.2) or EKS Pod Identity (169.254.170.23, fd00:ec2::23)
//     agents.
const ecsBase = "http://169.254.170.2"

// ContainerCredentialsURI returns the container-credentials endpoint the
// SDKs would call in env, or an error when none is configured or the full
// URI is not allowed.
func ContainerCredentialsURI(env Env) (string, error) {
	if rel := env.get(EnvContainerRelURI); rel != "" {
		u, err := url.Parse(ecsBase + rel)
		if err != nil || !strings.HasPrefix(rel, "/") || strings.HasPrefix(rel, "//") || strings.ContainsAny(rel, "\\\r\n\t#") || u.Host != "169.254.170.2" {
			return "", &Error{Code: CodeContainer, Key: EnvContainerRelURI,
				Msg: fmt.Sprintf("invalid relative URI %q: it must be a path starting with a single / (and no \\ # or control characters)", rel)}
		}
		return ecsBase + rel, nil
	}
	full := env.get(EnvContainerFullURI)
	if full == "" {
		return "", &Error{Code: CodeContainer,
			Msg: "No environment variables were set to configure ECS provider (" + EnvContainerRelURI + " or " + EnvContainerFullURI + ")"}
	}
	u, err := url.Parse(full)
	if err != nil {
		return "", &Error{Code: CodeContainer, Key: EnvContainerFullURI, Msg: fmt.Sprintf("invalid full URI %q: %v", full, err)}
	}
	if u.Host == "" {
		return "", &Error{Code: CodeContainer, Key: EnvContainerFullURI, Msg: fmt.Sprintf("invalid full URI %q: URI did not specify a host", full)}
	}
	switch u.Scheme {
	case "https":
		return full, nil
	case "http":
		if allowedContainerHost(u.Hostname()) {
			return full, nil
		}
		return "", &Error{Code: CodeContainer, Key: EnvContainerFullURI,
			Msg: fmt.Sprintf("invalid full URI %q: an http URI must point to a loopback address or to the ECS/EKS credential agents (169.254.170.2, 169.254.170.23, fd00:ec2::23); use https otherwise", full)}
	}
	return "", &Error{Code: CodeContainer, Key: EnvContainerFullURI, Msg: fmt.Sprintf("invalid full URI %q: scheme must be http or https", full)}
}

func allowedContainerHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return false
	}
	if ip.IsLoopback() {
		return true
	}
	for _, a := range []string{"169.254.170.2", "169.254.170.23", "fd00:ec2::23"} {
		if ip.Equal(net.ParseIP(a)) {
			return true
		}
	}
	return false
}
