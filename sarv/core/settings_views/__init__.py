"""Pages of the Settings area, where administrators run Sarv day to day; Django admin stays a developers' tool.

One module per section. Views parse input, check the permission, call an
action and render; every write goes through an app's ``actions`` module.
"""
