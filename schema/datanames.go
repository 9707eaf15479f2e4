package schema

// checkDataNames rejects names that the generated data layer cannot tell
// apart. One is two fields of an event that become the same Go field. The
// other is a command name that a service carries out both as a saga action
// and as a compensation, because the participant handles the two
// differently.
func (c *semanticChecker) checkDataNames() {
	for _, event := range sortedKeys(c.spec.Events) {
		seen := map[string]string{}
		for _, field := range sortedKeys(c.spec.Events[event]) {
			goName := GoIdentifier(field)
			if other, ok := seen[goName]; ok {
				c.addAt([]any{"events", event, field}, "fields %q and %q of event %s both become the Go field %s: rename one of them", other, field, event, goName)
				continue
			}
			seen[goName] = field
		}
	}

	// roles maps a service and command name to "action" or
	// "compensation", from the first step that names it.
	roles := map[[2]string]string{}
	for _, saga := range sortedKeys(c.spec.Sagas) {
		for i, step := range c.spec.Sagas[saga].Steps {
			for _, command := range []struct{ field, name string }{{"action", step.Action}, {"compensation", step.Compensation}} {
				if command.name == "" {
					continue
				}
				key := [2]string{step.Service, command.name}
				role, ok := roles[key]
				if !ok {
					roles[key] = command.field
					continue
				}
				if role != command.field {
					c.addAt([]any{"sagas", saga, "steps", i, command.field}, "%q is both an action and a compensation of service %q in the sagas: give the compensation another name", command.name, step.Service)
				}
			}
		}
	}
}
