package config

// SettingNames returns every setting's environment name and YAML key, and whether it is a secret,
// so that tests outside the package can check that their fixtures cover every setting.
func SettingNames() (envs, keys []string, secret []bool) {
	for _, s := range settings {
		envs = append(envs, s.env)
		keys = append(keys, s.key)
		secret = append(secret, s.secret())
	}
	return envs, keys, secret
}
