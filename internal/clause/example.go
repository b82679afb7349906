package clause

// ExampleValues gives every required variable without a default in lib a
// plausible value of its type: a date, "3", "50" percent, "125000", or
// "Value of NAME". It is what tests and the load tool fill a template's
// clauses with. Party variables are left out: their values are the names
// of the MOU's parties.
func ExampleValues(lib []*Clause) map[string]string {
	out := map[string]string{}
	for _, c := range lib {
		for _, v := range c.Variables {
			if !v.Required || v.Default != "" || v.Type == TypeParty {
				continue
			}
			switch v.Type {
			case TypeDate:
				out[v.Name] = "2025-08-20"
			case TypeInteger:
				out[v.Name] = "3"
			case TypePercent:
				out[v.Name] = "50"
			case TypeMoney:
				out[v.Name] = "125000"
			default:
				out[v.Name] = "Value of " + v.Name
			}
		}
	}
	return out
}
