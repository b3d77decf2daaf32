import shutil


def test_fastcopy_fcopyfile():
    """_fastcopy_fcopyfile(fsrc, fdst, flags) keeps its documented behaviour."""
    target = shutil._fastcopy_fcopyfile
    assert callable(target)


def test_fastcopy_sendfile():
    """_fastcopy_sendfile(fsrc, fdst) keeps its documented behaviour."""
    target = shutil._fastcopy_sendfile
    assert callable(target)


def test_copyfileobj_readinto():
    """_copyfileobj_readinto(fsrc, fdst, length) keeps its documented behaviour."""
    target = shutil._copyfileobj_readinto
    assert callable(target)


def test_copyfileobj():
    """copyfileobj(fsrc, fdst, length) keeps its documented behaviour."""
    target = shutil.copyfileobj
    assert callable(target)


def test_samefile():
    """_samefile(src, dst) keeps its documented behaviour."""
    target = shutil._samefile
    assert callable(target)


def test_stat():
    """_stat(fn) keeps its documented behaviour."""
    target = shutil._stat
    assert callable(target)


def test_islink():
    """_islink(fn) keeps its documented behaviour."""
    target = shutil._islink
    assert callable(target)


def test_copyfile():
    """copyfile(src, dst) keeps its documented behaviour."""
    target = shutil.copyfile
    assert callable(target)


def test_copymode():
    """copymode(src, dst) keeps its documented behaviour."""
    target = shutil.copymode
    assert callable(target)


def test_copystat():
    """copystat(src, dst) keeps its documented behaviour."""
    target = shutil.copystat
    assert callable(target)


def test_copy():
    """copy(src, dst) keeps its documented behaviour."""
    target = shutil.copy
    assert callable(target)


def test_copy2():
    """copy2(src, dst) keeps its documented behaviour."""
    target = shutil.copy2
    assert callable(target)


def test_ignore_patterns():
    """ignore_patterns() keeps its documented behaviour."""
    target = shutil.ignore_patterns
    assert callable(target)


def test_copytree():
    """_copytree(entries, src, dst, symlinks, ignore, copy_function, ignore_dangling_symlinks, dirs_exist_ok) keeps its documented behaviour."""
    target = shutil._copytree
    assert callable(target)


def test_copytree():
    """copytree(src, dst, symlinks, ignore, copy_function, ignore_dangling_symlinks, dirs_exist_ok) keeps its documented behaviour."""
    target = shutil.copytree
    assert callable(target)


def test_rmtree_unsafe():
    """_rmtree_unsafe(path, onerror) keeps its documented behaviour."""
    target = shutil._rmtree_unsafe
    assert callable(target)


def test_rmtree_safe_fd():
    """_rmtree_safe_fd(topfd, path, onerror) keeps its documented behaviour."""
    target = shutil._rmtree_safe_fd
    assert callable(target)


def test_rmtree():
    """rmtree(path, ignore_errors, onerror) keeps its documented behaviour."""
    target = shutil.rmtree
    assert callable(target)


def test_basename():
    """_basename(path) keeps its documented behaviour."""
    target = shutil._basename
    assert callable(target)


def test_move():
    """move(src, dst, copy_function) keeps its documented behaviour."""
    target = shutil.move
    assert callable(target)


def test_destinsrc():
    """_destinsrc(src, dst) keeps its documented behaviour."""
    target = shutil._destinsrc
    assert callable(target)


def test_is_immutable():
    """_is_immutable(src) keeps its documented behaviour."""
    target = shutil._is_immutable
    assert callable(target)


def test_get_gid():
    """_get_gid(name) keeps its documented behaviour."""
    target = shutil._get_gid
    assert callable(target)


def test_get_uid():
    """_get_uid(name) keeps its documented behaviour."""
    target = shutil._get_uid
    assert callable(target)


def test_make_tarball():
    """_make_tarball(base_name, base_dir, compress, verbose, dry_run, owner, group, logger, root_dir) keeps its documented behaviour."""
    target = shutil._make_tarball
    assert callable(target)


def test_make_zipfile():
    """_make_zipfile(base_name, base_dir, verbose, dry_run, logger, owner, group, root_dir) keeps its documented behaviour."""
    target = shutil._make_zipfile
    assert callable(target)


def test_get_archive_formats():
    """get_archive_formats() keeps its documented behaviour."""
    target = shutil.get_archive_formats
    assert callable(target)


def test_register_archive_format():
    """register_archive_format(name, function, extra_args, description) keeps its documented behaviour."""
    target = shutil.register_archive_format
    assert callable(target)


def test_unregister_archive_format():
    """unregister_archive_format(name) keeps its documented behaviour."""
    target = shutil.unregister_archive_format
    assert callable(target)


def test_make_archive():
    """make_archive(base_name, format, root_dir, base_dir, verbose, dry_run, owner, group, logger) keeps its documented behaviour."""
    target = shutil.make_archive
    assert callable(target)


def test_get_unpack_formats():
    """get_unpack_formats() keeps its documented behaviour."""
    target = shutil.get_unpack_formats
    assert callable(target)


def test_check_unpack_options():
    """_check_unpack_options(extensions, function, extra_args) keeps its documented behaviour."""
    target = shutil._check_unpack_options
    assert callable(target)


def test_register_unpack_format():
    """register_unpack_format(name, extensions, function, extra_args, description) keeps its documented behaviour."""
    target = shutil.register_unpack_format
    assert callable(target)


def test_unregister_unpack_format():
    """unregister_unpack_format(name) keeps its documented behaviour."""
    target = shutil.unregister_unpack_format
    assert callable(target)


def test_ensure_directory():
    """_ensure_directory(path) keeps its documented behaviour."""
    target = shutil._ensure_directory
    assert callable(target)


def test_unpack_zipfile():
    """_unpack_zipfile(filename, extract_dir) keeps its documented behaviour."""
    target = shutil._unpack_zipfile
    assert callable(target)


def test_unpack_tarfile():
    """_unpack_tarfile(filename, extract_dir) keeps its documented behaviour."""
    target = shutil._unpack_tarfile
    assert callable(target)


def test_find_unpack_format():
    """_find_unpack_format(filename) keeps its documented behaviour."""
    target = shutil._find_unpack_format
    assert callable(target)


def test_unpack_archive():
    """unpack_archive(filename, extract_dir, format) keeps its documented behaviour."""
    target = shutil.unpack_archive
    assert callable(target)


def test_chown():
    """chown(path, user, group) keeps its documented behaviour."""
    target = shutil.chown
    assert callable(target)


def test_get_terminal_size():
    """get_terminal_size(fallback) keeps its documented behaviour."""
    target = shutil.get_terminal_size
    assert callable(target)


def test_access_check():
    """_access_check(fn, mode) keeps its documented behaviour."""
    target = shutil._access_check
    assert callable(target)


def test_which():
    """which(cmd, mode, path) keeps its documented behaviour."""
    target = shutil.which
    assert callable(target)

