"""Statistics: rate ratios, comparison-group balance, difference-in-differences, event
study and cost-effect. Functions take plain tables and return plain data; nothing here
formats text or reads files."""
