"""The sampling database (抽检数据库): plans, tasks, samples, test items and conclusions."""
