package store

// SetFamilyThrottle changes the limits of the family's look-ups (for a
// benchmark that looks up many times); the returned func restores them.
func SetFamilyThrottle(perCode, perAddr int) (restore func()) {
	old := familyThrottle
	familyThrottle.PerCode, familyThrottle.PerAddr = perCode, perAddr
	return func() { familyThrottle = old }
}
