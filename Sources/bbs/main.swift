// Placeholder entry point; the store issue builds the real start-up.
print("bbs")
