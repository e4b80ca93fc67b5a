package options

// AllSupported runs f as if every "not supported yet" entry were turned on,
// so that specs can pin the rules of options whose behaviour comes in a
// later issue. Not safe to run in parallel with other specs.
func AllSupported(f func()) {
	cats := []*catalogue{kinesisCatalogue, printCatalogue, blackholeCatalogue, datagenCatalogue, jobCatalogue}
	type saved struct {
		why    string
		values map[string]string
	}
	var keep [][]saved
	for _, c := range cats {
		var s []saved
		for i := range c.specs {
			s = append(s, saved{c.specs[i].NotSupported, c.specs[i].NotSupportedValues})
			c.specs[i].NotSupported, c.specs[i].NotSupportedValues = "", nil
		}
		keep = append(keep, s)
	}
	defer func() {
		for ci, c := range cats {
			for i := range c.specs {
				c.specs[i].NotSupported, c.specs[i].NotSupportedValues = keep[ci][i].why, keep[ci][i].values
			}
		}
	}()
	f()
}

// NotYetKeys returns the keys of the notYet table, for specs that check it.
func NotYetKeys() map[string]string {
	out := map[string]string{}
	for k, v := range notYet {
		out[k] = v
	}
	return out
}
