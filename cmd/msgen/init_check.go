package main

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/msgen-dev/msgen/schema"
)

// answersName is the file name of the answers' spec in the loader's errors.
// No file of that name exists, so messages name the answers instead, with
// answerOf.
const answersName = "answers.cue"

// validateAnswers validates the spec that the answers make, with the rules
// that msgen validate applies to a spec file. It returns the problems, or
// an error when the spec cannot be built at all.
func validateAnswers(a *initAnswers) (schema.Errors, error) {
	src, err := specFile(a)
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", specName, err)
	}
	_, err = schema.LoadSource(answersName, src)
	var problems schema.Errors
	if errors.As(err, &problems) {
		return problems, nil
	}
	return nil, err
}

// answer identifies the wizard answer that a field of the spec comes from.
type answer struct {
	// step is the wizard's question group that prompts for the answer.
	step wizardStep
	// service is the service that the answer belongs to, or "".
	service string
	// label names the answer in the wizard, as in `service "orders",
	// routes`.
	label string
	// flag names the answer on the command line, as in "--routes orders".
	flag string
}

// answerOf returns the answer that the field at path of the spec comes
// from, such as "services.orders.routes[0].path". A database belongs to
// the first service, in the order of the answers, that names it.
func answerOf(a *initAnswers, path string) answer {
	// A path names list elements as in routes[0], and service names have
	// no dots, so the fields are the parts between dots.
	parts := strings.Split(path, ".")
	for i, part := range parts {
		if j := strings.IndexByte(part, '['); j > 0 {
			parts[i] = part[:j]
		}
	}
	switch parts[0] {
	case "name":
		return answer{step: stepName, label: "system name", flag: "--name"}
	case "module":
		return answer{step: stepModule, label: "Go module path", flag: "--module"}
	case "gateway":
		return answer{step: stepPlugins, label: "gateway plugins", flag: "--plugins"}
	case "discovery":
		return answer{step: stepMesh, label: "service discovery", flag: "--discovery"}
	case "mesh":
		return answer{step: stepMesh, label: "service mesh", flag: "--mesh"}
	case "targets":
		return answer{step: stepMesh, label: "targets", flag: "--target"}
	case "databases":
		if len(parts) > 1 {
			db := unquoteLabel(parts[1])
			for _, svc := range a.Services {
				if svc.Database == db {
					return answer{step: stepServices, service: svc.Name, label: fmt.Sprintf("service %q, shared database %q", svc.Name, db), flag: fmt.Sprintf("--service %s:%s:%s", svc.Name, svc.Pattern, db)}
				}
			}
		}
	case "services":
		if len(parts) == 1 {
			return answer{step: stepServices, label: "services", flag: "--service"}
		}
		name := unquoteLabel(parts[1])
		field := ""
		if len(parts) > 2 {
			field = parts[2]
		}
		switch field {
		case "port":
			return answer{step: stepServices, service: name, label: fmt.Sprintf("service %q, port", name), flag: "--port " + name}
		case "routes":
			return answer{step: stepServices, service: name, label: fmt.Sprintf("service %q, routes", name), flag: "--routes " + name}
		case "data":
			return answer{step: stepServices, service: name, label: fmt.Sprintf("service %q, data pattern", name), flag: "--service " + name}
		}
		return answer{step: stepServices, service: name, label: fmt.Sprintf("service %q", name), flag: "--service " + name}
	}
	return answer{step: stepName, label: path, flag: path}
}

// unquoteLabel returns a label of a field path as the spec's key, without
// the quotes that a path puts around a label such as "order-history".
func unquoteLabel(label string) string {
	if unquoted, err := strconv.Unquote(label); err == nil {
		return unquoted
	}
	return label
}

// flagProblems formats each problem of the answers on its own line, after
// the flag that set the answer, as answersFromFlags lists invalid flags.
func flagProblems(a *initAnswers, problems schema.Errors) string {
	lines := make([]string, len(problems))
	for i, p := range problems {
		lines[i] = answerOf(a, p.Path).flag + ": " + p.Message
	}
	return strings.Join(lines, "\n")
}

// wizardProblems returns one line for each problem of the answers, after
// the wizard's label of the answer.
func wizardProblems(a *initAnswers, problems schema.Errors) []string {
	lines := make([]string, len(problems))
	for i, p := range problems {
		lines[i] = answerOf(a, p.Path).label + ": " + p.Message
	}
	return lines
}

// newProblems returns the problems that candidate causes by the rules of
// the whole spec, such as a route that conflicts with another service's.
// It validates the answers with candidate in place of the service at index,
// or appended when index is len(a.Services). It returns only the problems
// that the answers without that service do not have. A problem at another
// entry of the spec is prefixed with that entry's label.

func newProblems(a *initAnswers, index int, candidate serviceAnswer) ([]string, error) {
	others := *a
	others.Services = slices.Delete(slices.Clone(a.Services), index, min(index+1, len(a.Services)))
	before, err := validateAnswers(&others)
	if err != nil {
		return nil, err
	}

	// The candidate comes last, so that a conflict that the loader reports
	// at the later of two entries is reported at the candidate.
	with := others
	with.Services = append(slices.Clone(others.Services), candidate)
	after, err := validateAnswers(&with)
	if err != nil {
		return nil, err
	}

	type key struct{ path, message string }
	known := map[key]bool{}
	for _, p := range before {
		known[key{p.Path, p.Message}] = true
	}
	var problems []string
	for _, p := range after {
		if known[key{p.Path, p.Message}] {
			continue
		}
		if at := answerOf(&with, p.Path); at.service != candidate.Name {
			problems = append(problems, at.label+": "+p.Message)
			continue
		}
		problems = append(problems, p.Message)
	}
	return problems, nil
}
