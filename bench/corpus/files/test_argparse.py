import argparse


def test_attributeholder___repr():
    """_AttributeHolder.__repr__() keeps its documented behaviour."""
    target = argparse._AttributeHolder.__repr__
    assert callable(target)


def test_attributeholder__get_kwargs():
    """_AttributeHolder._get_kwargs() keeps its documented behaviour."""
    target = argparse._AttributeHolder._get_kwargs
    assert callable(target)


def test_attributeholder__get_args():
    """_AttributeHolder._get_args() keeps its documented behaviour."""
    target = argparse._AttributeHolder._get_args
    assert callable(target)


def test_copy_items():
    """_copy_items(items) keeps its documented behaviour."""
    target = argparse._copy_items
    assert callable(target)


def test_helpformatter___init():
    """HelpFormatter.__init__(prog, indent_increment, max_help_position, width) keeps its documented behaviour."""
    target = argparse.HelpFormatter.__init__
    assert callable(target)


def test_helpformatter__indent():
    """HelpFormatter._indent() keeps its documented behaviour."""
    target = argparse.HelpFormatter._indent
    assert callable(target)


def test_helpformatter__dedent():
    """HelpFormatter._dedent() keeps its documented behaviour."""
    target = argparse.HelpFormatter._dedent
    assert callable(target)


def test_helpformatter__add_item():
    """HelpFormatter._add_item(func, args) keeps its documented behaviour."""
    target = argparse.HelpFormatter._add_item
    assert callable(target)


def test_helpformatter_start_section():
    """HelpFormatter.start_section(heading) keeps its documented behaviour."""
    target = argparse.HelpFormatter.start_section
    assert callable(target)


def test_helpformatter_end_section():
    """HelpFormatter.end_section() keeps its documented behaviour."""
    target = argparse.HelpFormatter.end_section
    assert callable(target)


def test_helpformatter_add_text():
    """HelpFormatter.add_text(text) keeps its documented behaviour."""
    target = argparse.HelpFormatter.add_text
    assert callable(target)


def test_helpformatter_add_usage():
    """HelpFormatter.add_usage(usage, actions, groups, prefix) keeps its documented behaviour."""
    target = argparse.HelpFormatter.add_usage
    assert callable(target)


def test_helpformatter_add_argument():
    """HelpFormatter.add_argument(action) keeps its documented behaviour."""
    target = argparse.HelpFormatter.add_argument
    assert callable(target)


def test_helpformatter_add_arguments():
    """HelpFormatter.add_arguments(actions) keeps its documented behaviour."""
    target = argparse.HelpFormatter.add_arguments
    assert callable(target)


def test_helpformatter_format_help():
    """HelpFormatter.format_help() keeps its documented behaviour."""
    target = argparse.HelpFormatter.format_help
    assert callable(target)


def test_helpformatter__join_parts():
    """HelpFormatter._join_parts(part_strings) keeps its documented behaviour."""
    target = argparse.HelpFormatter._join_parts
    assert callable(target)


def test_helpformatter__format_usage():
    """HelpFormatter._format_usage(usage, actions, groups, prefix) keeps its documented behaviour."""
    target = argparse.HelpFormatter._format_usage
    assert callable(target)


def test_helpformatter__format_actions_usage():
    """HelpFormatter._format_actions_usage(actions, groups) keeps its documented behaviour."""
    target = argparse.HelpFormatter._format_actions_usage
    assert callable(target)


def test_helpformatter__format_text():
    """HelpFormatter._format_text(text) keeps its documented behaviour."""
    target = argparse.HelpFormatter._format_text
    assert callable(target)


def test_helpformatter__format_action():
    """HelpFormatter._format_action(action) keeps its documented behaviour."""
    target = argparse.HelpFormatter._format_action
    assert callable(target)


def test_helpformatter__format_action_invocation():
    """HelpFormatter._format_action_invocation(action) keeps its documented behaviour."""
    target = argparse.HelpFormatter._format_action_invocation
    assert callable(target)


def test_helpformatter__metavar_formatter():
    """HelpFormatter._metavar_formatter(action, default_metavar) keeps its documented behaviour."""
    target = argparse.HelpFormatter._metavar_formatter
    assert callable(target)


def test_helpformatter__format_args():
    """HelpFormatter._format_args(action, default_metavar) keeps its documented behaviour."""
    target = argparse.HelpFormatter._format_args
    assert callable(target)


def test_helpformatter__expand_help():
    """HelpFormatter._expand_help(action) keeps its documented behaviour."""
    target = argparse.HelpFormatter._expand_help
    assert callable(target)


def test_helpformatter__iter_indented_subactions():
    """HelpFormatter._iter_indented_subactions(action) keeps its documented behaviour."""
    target = argparse.HelpFormatter._iter_indented_subactions
    assert callable(target)


def test_helpformatter__split_lines():
    """HelpFormatter._split_lines(text, width) keeps its documented behaviour."""
    target = argparse.HelpFormatter._split_lines
    assert callable(target)


def test_helpformatter__fill_text():
    """HelpFormatter._fill_text(text, width, indent) keeps its documented behaviour."""
    target = argparse.HelpFormatter._fill_text
    assert callable(target)


def test_helpformatter__get_help_string():
    """HelpFormatter._get_help_string(action) keeps its documented behaviour."""
    target = argparse.HelpFormatter._get_help_string
    assert callable(target)


def test_helpformatter__get_default_metavar_for_optional():
    """HelpFormatter._get_default_metavar_for_optional(action) keeps its documented behaviour."""
    target = argparse.HelpFormatter._get_default_metavar_for_optional
    assert callable(target)


def test_helpformatter__get_default_metavar_for_positional():
    """HelpFormatter._get_default_metavar_for_positional(action) keeps its documented behaviour."""
    target = argparse.HelpFormatter._get_default_metavar_for_positional
    assert callable(target)


def test_rawdescriptionhelpformatter__fill_text():
    """RawDescriptionHelpFormatter._fill_text(text, width, indent) keeps its documented behaviour."""
    target = argparse.RawDescriptionHelpFormatter._fill_text
    assert callable(target)


def test_rawtexthelpformatter__split_lines():
    """RawTextHelpFormatter._split_lines(text, width) keeps its documented behaviour."""
    target = argparse.RawTextHelpFormatter._split_lines
    assert callable(target)


def test_argumentdefaultshelpformatter__get_help_string():
    """ArgumentDefaultsHelpFormatter._get_help_string(action) keeps its documented behaviour."""
    target = argparse.ArgumentDefaultsHelpFormatter._get_help_string
    assert callable(target)


def test_metavartypehelpformatter__get_default_metavar_for_optional():
    """MetavarTypeHelpFormatter._get_default_metavar_for_optional(action) keeps its documented behaviour."""
    target = argparse.MetavarTypeHelpFormatter._get_default_metavar_for_optional
    assert callable(target)


def test_metavartypehelpformatter__get_default_metavar_for_positional():
    """MetavarTypeHelpFormatter._get_default_metavar_for_positional(action) keeps its documented behaviour."""
    target = argparse.MetavarTypeHelpFormatter._get_default_metavar_for_positional
    assert callable(target)


def test_get_action_name():
    """_get_action_name(argument) keeps its documented behaviour."""
    target = argparse._get_action_name
    assert callable(target)


def test_argumenterror___init():
    """ArgumentError.__init__(argument, message) keeps its documented behaviour."""
    target = argparse.ArgumentError.__init__
    assert callable(target)


def test_argumenterror___str():
    """ArgumentError.__str__() keeps its documented behaviour."""
    target = argparse.ArgumentError.__str__
    assert callable(target)


def test_action___init():
    """Action.__init__(option_strings, dest, nargs, const, default, type, choices, required, help, metavar) keeps its documented behaviour."""
    target = argparse.Action.__init__
    assert callable(target)


def test_action__get_kwargs():
    """Action._get_kwargs() keeps its documented behaviour."""
    target = argparse.Action._get_kwargs
    assert callable(target)


def test_action_format_usage():
    """Action.format_usage() keeps its documented behaviour."""
    target = argparse.Action.format_usage
    assert callable(target)


def test_action___call():
    """Action.__call__(parser, namespace, values, option_string) keeps its documented behaviour."""
    target = argparse.Action.__call__
    assert callable(target)


def test_booleanoptionalaction___init():
    """BooleanOptionalAction.__init__(option_strings, dest, default, type, choices, required, help, metavar) keeps its documented behaviour."""
    target = argparse.BooleanOptionalAction.__init__
    assert callable(target)


def test_booleanoptionalaction___call():
    """BooleanOptionalAction.__call__(parser, namespace, values, option_string) keeps its documented behaviour."""
    target = argparse.BooleanOptionalAction.__call__
    assert callable(target)


def test_booleanoptionalaction_format_usage():
    """BooleanOptionalAction.format_usage() keeps its documented behaviour."""
    target = argparse.BooleanOptionalAction.format_usage
    assert callable(target)


def test_storeaction___init():
    """_StoreAction.__init__(option_strings, dest, nargs, const, default, type, choices, required, help, metavar) keeps its documented behaviour."""
    target = argparse._StoreAction.__init__
    assert callable(target)


def test_storeaction___call():
    """_StoreAction.__call__(parser, namespace, values, option_string) keeps its documented behaviour."""
    target = argparse._StoreAction.__call__
    assert callable(target)


def test_storeconstaction___init():
    """_StoreConstAction.__init__(option_strings, dest, const, default, required, help, metavar) keeps its documented behaviour."""
    target = argparse._StoreConstAction.__init__
    assert callable(target)


def test_storeconstaction___call():
    """_StoreConstAction.__call__(parser, namespace, values, option_string) keeps its documented behaviour."""
    target = argparse._StoreConstAction.__call__
    assert callable(target)


def test_storetrueaction___init():
    """_StoreTrueAction.__init__(option_strings, dest, default, required, help) keeps its documented behaviour."""
    target = argparse._StoreTrueAction.__init__
    assert callable(target)


def test_storefalseaction___init():
    """_StoreFalseAction.__init__(option_strings, dest, default, required, help) keeps its documented behaviour."""
    target = argparse._StoreFalseAction.__init__
    assert callable(target)


def test_appendaction___init():
    """_AppendAction.__init__(option_strings, dest, nargs, const, default, type, choices, required, help, metavar) keeps its documented behaviour."""
    target = argparse._AppendAction.__init__
    assert callable(target)


def test_appendaction___call():
    """_AppendAction.__call__(parser, namespace, values, option_string) keeps its documented behaviour."""
    target = argparse._AppendAction.__call__
    assert callable(target)


def test_appendconstaction___init():
    """_AppendConstAction.__init__(option_strings, dest, const, default, required, help, metavar) keeps its documented behaviour."""
    target = argparse._AppendConstAction.__init__
    assert callable(target)


def test_appendconstaction___call():
    """_AppendConstAction.__call__(parser, namespace, values, option_string) keeps its documented behaviour."""
    target = argparse._AppendConstAction.__call__
    assert callable(target)


def test_countaction___init():
    """_CountAction.__init__(option_strings, dest, default, required, help) keeps its documented behaviour."""
    target = argparse._CountAction.__init__
    assert callable(target)


def test_countaction___call():
    """_CountAction.__call__(parser, namespace, values, option_string) keeps its documented behaviour."""
    target = argparse._CountAction.__call__
    assert callable(target)


def test_helpaction___init():
    """_HelpAction.__init__(option_strings, dest, default, help) keeps its documented behaviour."""
    target = argparse._HelpAction.__init__
    assert callable(target)


def test_helpaction___call():
    """_HelpAction.__call__(parser, namespace, values, option_string) keeps its documented behaviour."""
    target = argparse._HelpAction.__call__
    assert callable(target)


def test_versionaction___init():
    """_VersionAction.__init__(option_strings, version, dest, default, help) keeps its documented behaviour."""
    target = argparse._VersionAction.__init__
    assert callable(target)


def test_versionaction___call():
    """_VersionAction.__call__(parser, namespace, values, option_string) keeps its documented behaviour."""
    target = argparse._VersionAction.__call__
    assert callable(target)


def test_subparsersaction___init():
    """_SubParsersAction.__init__(option_strings, prog, parser_class, dest, required, help, metavar) keeps its documented behaviour."""
    target = argparse._SubParsersAction.__init__
    assert callable(target)


def test_subparsersaction_add_parser():
    """_SubParsersAction.add_parser(name) keeps its documented behaviour."""
    target = argparse._SubParsersAction.add_parser
    assert callable(target)


def test_subparsersaction__get_subactions():
    """_SubParsersAction._get_subactions() keeps its documented behaviour."""
    target = argparse._SubParsersAction._get_subactions
    assert callable(target)


def test_subparsersaction___call():
    """_SubParsersAction.__call__(parser, namespace, values, option_string) keeps its documented behaviour."""
    target = argparse._SubParsersAction.__call__
    assert callable(target)


def test_extendaction___call():
    """_ExtendAction.__call__(parser, namespace, values, option_string) keeps its documented behaviour."""
    target = argparse._ExtendAction.__call__
    assert callable(target)


def test_filetype___init():
    """FileType.__init__(mode, bufsize, encoding, errors) keeps its documented behaviour."""
    target = argparse.FileType.__init__
    assert callable(target)


def test_filetype___call():
    """FileType.__call__(string) keeps its documented behaviour."""
    target = argparse.FileType.__call__
    assert callable(target)


def test_filetype___repr():
    """FileType.__repr__() keeps its documented behaviour."""
    target = argparse.FileType.__repr__
    assert callable(target)


def test_namespace___init():
    """Namespace.__init__() keeps its documented behaviour."""
    target = argparse.Namespace.__init__
    assert callable(target)


def test_namespace___eq():
    """Namespace.__eq__(other) keeps its documented behaviour."""
    target = argparse.Namespace.__eq__
    assert callable(target)


def test_namespace___contains():
    """Namespace.__contains__(key) keeps its documented behaviour."""
    target = argparse.Namespace.__contains__
    assert callable(target)


def test_actionscontainer___init():
    """_ActionsContainer.__init__(description, prefix_chars, argument_default, conflict_handler) keeps its documented behaviour."""
    target = argparse._ActionsContainer.__init__
    assert callable(target)


def test_actionscontainer_register():
    """_ActionsContainer.register(registry_name, value, object) keeps its documented behaviour."""
    target = argparse._ActionsContainer.register
    assert callable(target)


def test_actionscontainer__registry_get():
    """_ActionsContainer._registry_get(registry_name, value, default) keeps its documented behaviour."""
    target = argparse._ActionsContainer._registry_get
    assert callable(target)


def test_actionscontainer_set_defaults():
    """_ActionsContainer.set_defaults() keeps its documented behaviour."""
    target = argparse._ActionsContainer.set_defaults
    assert callable(target)


def test_actionscontainer_get_default():
    """_ActionsContainer.get_default(dest) keeps its documented behaviour."""
    target = argparse._ActionsContainer.get_default
    assert callable(target)


def test_actionscontainer_add_argument():
    """_ActionsContainer.add_argument() keeps its documented behaviour."""
    target = argparse._ActionsContainer.add_argument
    assert callable(target)


def test_actionscontainer_add_argument_group():
    """_ActionsContainer.add_argument_group() keeps its documented behaviour."""
    target = argparse._ActionsContainer.add_argument_group
    assert callable(target)


def test_actionscontainer_add_mutually_exclusive_group():
    """_ActionsContainer.add_mutually_exclusive_group() keeps its documented behaviour."""
    target = argparse._ActionsContainer.add_mutually_exclusive_group
    assert callable(target)


def test_actionscontainer__add_action():
    """_ActionsContainer._add_action(action) keeps its documented behaviour."""
    target = argparse._ActionsContainer._add_action
    assert callable(target)


def test_actionscontainer__remove_action():
    """_ActionsContainer._remove_action(action) keeps its documented behaviour."""
    target = argparse._ActionsContainer._remove_action
    assert callable(target)


def test_actionscontainer__add_container_actions():
    """_ActionsContainer._add_container_actions(container) keeps its documented behaviour."""
    target = argparse._ActionsContainer._add_container_actions
    assert callable(target)


def test_actionscontainer__get_positional_kwargs():
    """_ActionsContainer._get_positional_kwargs(dest) keeps its documented behaviour."""
    target = argparse._ActionsContainer._get_positional_kwargs
    assert callable(target)


def test_actionscontainer__get_optional_kwargs():
    """_ActionsContainer._get_optional_kwargs() keeps its documented behaviour."""
    target = argparse._ActionsContainer._get_optional_kwargs
    assert callable(target)


def test_actionscontainer__pop_action_class():
    """_ActionsContainer._pop_action_class(kwargs, default) keeps its documented behaviour."""
    target = argparse._ActionsContainer._pop_action_class
    assert callable(target)


def test_actionscontainer__get_handler():
    """_ActionsContainer._get_handler() keeps its documented behaviour."""
    target = argparse._ActionsContainer._get_handler
    assert callable(target)


def test_actionscontainer__check_conflict():
    """_ActionsContainer._check_conflict(action) keeps its documented behaviour."""
    target = argparse._ActionsContainer._check_conflict
    assert callable(target)


def test_actionscontainer__handle_conflict_error():
    """_ActionsContainer._handle_conflict_error(action, conflicting_actions) keeps its documented behaviour."""
    target = argparse._ActionsContainer._handle_conflict_error
    assert callable(target)


def test_actionscontainer__handle_conflict_resolve():
    """_ActionsContainer._handle_conflict_resolve(action, conflicting_actions) keeps its documented behaviour."""
    target = argparse._ActionsContainer._handle_conflict_resolve
    assert callable(target)


def test_argumentgroup___init():
    """_ArgumentGroup.__init__(container, title, description) keeps its documented behaviour."""
    target = argparse._ArgumentGroup.__init__
    assert callable(target)


def test_argumentgroup__add_action():
    """_ArgumentGroup._add_action(action) keeps its documented behaviour."""
    target = argparse._ArgumentGroup._add_action
    assert callable(target)


def test_argumentgroup__remove_action():
    """_ArgumentGroup._remove_action(action) keeps its documented behaviour."""
    target = argparse._ArgumentGroup._remove_action
    assert callable(target)


def test_argumentgroup_add_argument_group():
    """_ArgumentGroup.add_argument_group() keeps its documented behaviour."""
    target = argparse._ArgumentGroup.add_argument_group
    assert callable(target)


def test_mutuallyexclusivegroup___init():
    """_MutuallyExclusiveGroup.__init__(container, required) keeps its documented behaviour."""
    target = argparse._MutuallyExclusiveGroup.__init__
    assert callable(target)


def test_mutuallyexclusivegroup__add_action():
    """_MutuallyExclusiveGroup._add_action(action) keeps its documented behaviour."""
    target = argparse._MutuallyExclusiveGroup._add_action
    assert callable(target)


def test_mutuallyexclusivegroup__remove_action():
    """_MutuallyExclusiveGroup._remove_action(action) keeps its documented behaviour."""
    target = argparse._MutuallyExclusiveGroup._remove_action
    assert callable(target)


def test_mutuallyexclusivegroup_add_mutually_exclusive_group():
    """_MutuallyExclusiveGroup.add_mutually_exclusive_group() keeps its documented behaviour."""
    target = argparse._MutuallyExclusiveGroup.add_mutually_exclusive_group
    assert callable(target)


def test_argumentparser___init():
    """ArgumentParser.__init__(prog, usage, description, epilog, parents, formatter_class, prefix_chars, fromfile_prefix_chars, argument_default, conflict_handler, add_help, allow_abbrev, exit_on_error) keeps its documented behaviour."""
    target = argparse.ArgumentParser.__init__
    assert callable(target)


def test_argumentparser__get_kwargs():
    """ArgumentParser._get_kwargs() keeps its documented behaviour."""
    target = argparse.ArgumentParser._get_kwargs
    assert callable(target)


def test_argumentparser_add_subparsers():
    """ArgumentParser.add_subparsers() keeps its documented behaviour."""
    target = argparse.ArgumentParser.add_subparsers
    assert callable(target)


def test_argumentparser__add_action():
    """ArgumentParser._add_action(action) keeps its documented behaviour."""
    target = argparse.ArgumentParser._add_action
    assert callable(target)


def test_argumentparser__get_optional_actions():
    """ArgumentParser._get_optional_actions() keeps its documented behaviour."""
    target = argparse.ArgumentParser._get_optional_actions
    assert callable(target)


def test_argumentparser__get_positional_actions():
    """ArgumentParser._get_positional_actions() keeps its documented behaviour."""
    target = argparse.ArgumentParser._get_positional_actions
    assert callable(target)


def test_argumentparser_parse_args():
    """ArgumentParser.parse_args(args, namespace) keeps its documented behaviour."""
    target = argparse.ArgumentParser.parse_args
    assert callable(target)


def test_argumentparser_parse_known_args():
    """ArgumentParser.parse_known_args(args, namespace) keeps its documented behaviour."""
    target = argparse.ArgumentParser.parse_known_args
    assert callable(target)


def test_argumentparser__parse_known_args():
    """ArgumentParser._parse_known_args(arg_strings, namespace) keeps its documented behaviour."""
    target = argparse.ArgumentParser._parse_known_args
    assert callable(target)


def test_argumentparser__read_args_from_files():
    """ArgumentParser._read_args_from_files(arg_strings) keeps its documented behaviour."""
    target = argparse.ArgumentParser._read_args_from_files
    assert callable(target)


def test_argumentparser_convert_arg_line_to_args():
    """ArgumentParser.convert_arg_line_to_args(arg_line) keeps its documented behaviour."""
    target = argparse.ArgumentParser.convert_arg_line_to_args
    assert callable(target)


def test_argumentparser__match_argument():
    """ArgumentParser._match_argument(action, arg_strings_pattern) keeps its documented behaviour."""
    target = argparse.ArgumentParser._match_argument
    assert callable(target)


def test_argumentparser__match_arguments_partial():
    """ArgumentParser._match_arguments_partial(actions, arg_strings_pattern) keeps its documented behaviour."""
    target = argparse.ArgumentParser._match_arguments_partial
    assert callable(target)


def test_argumentparser__parse_optional():
    """ArgumentParser._parse_optional(arg_string) keeps its documented behaviour."""
    target = argparse.ArgumentParser._parse_optional
    assert callable(target)


def test_argumentparser__get_option_tuples():
    """ArgumentParser._get_option_tuples(option_string) keeps its documented behaviour."""
    target = argparse.ArgumentParser._get_option_tuples
    assert callable(target)


def test_argumentparser__get_nargs_pattern():
    """ArgumentParser._get_nargs_pattern(action) keeps its documented behaviour."""
    target = argparse.ArgumentParser._get_nargs_pattern
    assert callable(target)


def test_argumentparser_parse_intermixed_args():
    """ArgumentParser.parse_intermixed_args(args, namespace) keeps its documented behaviour."""
    target = argparse.ArgumentParser.parse_intermixed_args
    assert callable(target)


def test_argumentparser_parse_known_intermixed_args():
    """ArgumentParser.parse_known_intermixed_args(args, namespace) keeps its documented behaviour."""
    target = argparse.ArgumentParser.parse_known_intermixed_args
    assert callable(target)


def test_argumentparser__get_values():
    """ArgumentParser._get_values(action, arg_strings) keeps its documented behaviour."""
    target = argparse.ArgumentParser._get_values
    assert callable(target)


def test_argumentparser__get_value():
    """ArgumentParser._get_value(action, arg_string) keeps its documented behaviour."""
    target = argparse.ArgumentParser._get_value
    assert callable(target)


def test_argumentparser__check_value():
    """ArgumentParser._check_value(action, value) keeps its documented behaviour."""
    target = argparse.ArgumentParser._check_value
    assert callable(target)


def test_argumentparser_format_usage():
    """ArgumentParser.format_usage() keeps its documented behaviour."""
    target = argparse.ArgumentParser.format_usage
    assert callable(target)


def test_argumentparser_format_help():
    """ArgumentParser.format_help() keeps its documented behaviour."""
    target = argparse.ArgumentParser.format_help
    assert callable(target)


def test_argumentparser__get_formatter():
    """ArgumentParser._get_formatter() keeps its documented behaviour."""
    target = argparse.ArgumentParser._get_formatter
    assert callable(target)


def test_argumentparser_print_usage():
    """ArgumentParser.print_usage(file) keeps its documented behaviour."""
    target = argparse.ArgumentParser.print_usage
    assert callable(target)


def test_argumentparser_print_help():
    """ArgumentParser.print_help(file) keeps its documented behaviour."""
    target = argparse.ArgumentParser.print_help
    assert callable(target)


def test_argumentparser__print_message():
    """ArgumentParser._print_message(message, file) keeps its documented behaviour."""
    target = argparse.ArgumentParser._print_message
    assert callable(target)


def test_argumentparser_exit():
    """ArgumentParser.exit(status, message) keeps its documented behaviour."""
    target = argparse.ArgumentParser.exit
    assert callable(target)


def test_argumentparser_error():
    """ArgumentParser.error(message) keeps its documented behaviour."""
    target = argparse.ArgumentParser.error
    assert callable(target)

