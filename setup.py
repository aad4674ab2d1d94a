"""Packaging for eqprop_nb: every field is read from settings.ini (nbdev 2 layout)."""
from configparser import ConfigParser
from pathlib import Path
import setuptools

cfg = ConfigParser(delimiters=['='])
cfg.read(Path(__file__).parent/'settings.ini', encoding='utf-8')
cfg = cfg['DEFAULT']

for key in 'version description keywords author author_email'.split():
    assert key in cfg, f'settings.ini is missing `{key}`'

licenses = {'apache2': 'Apache-2.0', 'mit': 'MIT'}   # SPDX expressions (setuptools deprecates the License :: classifiers)
statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive']
py_versions = ['3.9', '3.10', '3.11', '3.12', '3.13', '3.14']
min_python = cfg['min_python']
lic_name = licenses[cfg['license']]
requirements = cfg.get('requirements', '').split()
dev_requirements = cfg.get('dev_requirements', '').split()
scripts = [s.strip() for s in cfg.get('console_scripts', '').split() if s.strip()]
readme = Path(__file__).parent/'README.md'

setuptools.setup(
    name=cfg['lib_name'], version=cfg['version'], description=cfg['description'],
    long_description=readme.read_text(encoding='utf-8') if readme.exists() else cfg['description'],
    long_description_content_type='text/markdown',
    author=cfg['author'], author_email=cfg['author_email'], license=lic_name,
    url=cfg['git_url'], keywords=cfg['keywords'].split(),
    classifiers=['Development Status :: ' + statuses[int(cfg['status']) - 1], 'Intended Audience :: ' + cfg['audience'],
                 'Natural Language :: ' + cfg['language'],
                 'Topic :: Scientific/Engineering :: Artificial Intelligence'] +
                ['Programming Language :: Python :: ' + v for v in py_versions[py_versions.index(min_python):]],
    packages=setuptools.find_packages(include=[cfg['lib_name'], cfg['lib_name'] + '.*']),
    include_package_data=True, zip_safe=False,
    python_requires='>=' + min_python,
    install_requires=requirements,
    extras_require={'dev': dev_requirements},
    entry_points={'console_scripts': scripts, 'nbdev': [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"]},
)
